import ArgumentParser
import Dispatch
import Foundation
import Logging
import SeccamEngine
import SeccamMetrics
import SeccamSpool

/// `seccam-engine run`: watch live cameras, record a clip per motion event, never stop.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch live cameras and record each motion event as a clip (stream copy, with pre-roll).",
        discussion: """
            Cameras come from --config FILE (YAML; see `seccam-engine config example`) or from --camera NAME=URL \
            flags with dvr-scan's detection options. Each camera runs on its own thread; clips and JSON sidecars \
            go to OUTPUT/NAME/YYYY-MM-DD/. A camera that fails, ends or stalls (no packet for the stall timeout) \
            is reconnected with exponential backoff (1 s to 60 s). SIGTERM or SIGINT stops reading, finishes \
            open clips and exits 0; SIGHUP reloads --config, restarting only the cameras whose settings changed. \
            Keep passwords out of the process list with ${VARIABLE} in the URL (single-quoted) and an exported \
            variable: --camera 'door=rtsp://admin:${DOOR_PASSWORD}@192.168.1.20/stream1'.
            """)

    @Option(name: .long, help: "Service config file (YAML). Replaces --camera/--output.")
    var config: String?
    @Option(name: .customLong("camera"), help: ArgumentHelp("A camera NAME=URL (repeatable).", valueName: "name=url"))
    var cameras: [String] = []
    @Option(name: .long, help: "Folder for clips (OUTPUT/<camera>/<YYYY-MM-DD>/).")
    var output: String?
    @Option(name: .long, help: "Clip container: mp4 (default) or mkv.")
    var container: ClipContainer = .mp4
    @Option(name: .long, help: "Seconds without a packet before a camera counts as stalled and is reconnected [10].")
    var stallTimeout: Double = 10
    @Option(name: .long, help: "Queue finished clips in this spool folder for upload.")
    var spool: String?
    @Option(name: .long, help: ArgumentHelp("Serve /metrics and /healthz on HOST:PORT (loopback).", valueName: "host:port"))
    var metrics: String?
    @OptionGroup var detection: DetectionArguments
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if config != nil {
            guard cameras.isEmpty, output == nil, spool == nil, metrics == nil else {
                throw ValidationError("--config replaces --camera, --output, --spool and --metrics: give one or the other")
            }
            return
        }
        if let metrics, MetricsListen(parsing: metrics) == nil {
            throw ValidationError("--metrics expects HOST:PORT such as 127.0.0.1:9101, got '\(metrics)'")
        }
        guard !cameras.isEmpty else { throw ValidationError("give --config FILE, or at least one --camera NAME=URL") }
        guard output != nil else { throw ValidationError("--camera needs --output DIR") }
        var names = Set<String>()
        for camera in cameras {
            let parts = camera.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--camera expects NAME=URL, got '\(SourceURL.redact(camera))'")
            }
            guard parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ValidationError("--camera name '\(parts[0])' may use only letters, digits, - and _")
            }
            guard names.insert(parts[0]).inserted else { throw ValidationError("--camera name '\(parts[0])' is used twice") }
        }
        guard stallTimeout > 0 else { throw ValidationError("--stall-timeout must be greater than 0") }
    }

    func run() throws {
        HeapPolicy.returnLargeBlocksToTheSystem()
        let logger = logging.makeLogger(label: "seccam.run")
        let settings = try loadSettings()
        let spool = try settings.spool.map { path in
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            do { return try SpoolDirectory(root: absolute, logger: logger) } catch { throw CommandFailure("spool \(path): \(error)") }
        }
        let notifiers = try Notifiers(settings: settings, spool: spool, role: "run", logger: logger)
        let uploader = try settings.upload.map { upload -> Uploader in
            guard let spool else { throw CommandFailure("upload needs a spool folder") }
            do {
                return Uploader(spool: spool, target: try upload.makeTarget(), configuration: upload.uploaderConfiguration, logger: logger,
                                onDelivered: notifiers.announceUploads)
            } catch {
                throw CommandFailure("upload: \(error)")
            }
        }
        let service = CameraService(cameras: settings.cameraSpecs, logger: logger, notices: { notice in
            if let spool { Self.enqueue(notice, into: spool, logger: logger) }
            if let event = Self.webhookEvent(notice) { notifiers.send(event) }
            if let mqtt = notifiers.mqtt, let (camera, state) = Self.mqttState(notice) { mqtt.publishState(camera: camera, state: state) }
        })
        let uploaderStopped = DispatchSemaphore(value: 0)
        if let uploader {
            let thread = Thread {
                do { _ = try uploader.run(mode: .continuous) } catch {
                    logger.warning("in-process uploader not running; clips stay queued in the spool", metadata: ["error": "\(error)"])
                }
                uploaderStopped.signal()
            }
            thread.name = "uploader"
            thread.start()
        }
        let metricsServer = try settings.metrics.map { listen in
            let metrics = ServiceMetrics(service: service, outputDirectory: settings.output,
                                         spoolDepth: { spool.map { $0.entries(in: .pending).count } })
            do { return try MetricsServer(host: listen.host, port: listen.port, metrics: metrics, service: service) } catch {
                throw CommandFailure("\(error)")
            }
        }
        let retention = RetentionSweeper(retention: { Self.retention(settings, spool: spool) }, logger: logger)
        let signals = SignalWaiter([SIGTERM, SIGINT, SIGHUP])
        service.start()
        let notify = SystemdNotify()
        notify.send("READY=1")
        let watchdog = notify.watchdogInterval.map { ServiceWatchdog(service: service, notify: notify, interval: $0, logger: logger) }
        logger.notice("recording", metadata: [
            "cameras": "\(settings.enabledCameras.map(\.name).joined(separator: ","))", "output": "\(settings.output)",
        ])
        while true {
            let number = signals.next()
            guard number == SIGHUP else { break }
            reload(service, logger: logger)
        }
        notify.send("STOPPING=1")
        watchdog?.stop()
        metricsServer?.stop()
        retention.stop()
        logger.notice("stopping: finishing open clips")
        let stopped = service.stop(timeout: 9)
        uploader?.stop()
        notifiers.webhook?.stop()
        if uploader != nil, uploaderStopped.wait(timeout: .now() + 3) == .timedOut {
            logger.warning("the uploader did not stop within 3 s; its entries go back to pending/ on the next start")
        }
        if !stopped { throw CommandFailure("some cameras did not stop within 10 s") }
    }

    /// The retention rules for one sweep: a clip waits for upload while the spool has an unfinished entry for it.
    private static func retention(_ settings: ServiceConfiguration, spool: SpoolDirectory?) -> ClipRetention {
        let unfinished = spool.map { s in [SpoolState.pending, .inflight, .failed].flatMap { s.entries(in: $0) } } ?? []
        let waiting = Set(unfinished.map { "\($0.manifest.camera ?? "")/\($0.manifest.fileName)" })
        var retention = ClipRetention(
            policy: settings.retention,
            cameras: settings.cameras.map { ($0.name, ($0.output as NSString).appendingPathComponent($0.name), $0.maxAge) },
            isWaitingForUpload: { camera, file in waiting.contains("\(camera)/\(file)") })
        if spool != nil {
            retention.dropFromSpool = { camera, file in
                for entry in unfinished where entry.manifest.camera == camera && entry.manifest.fileName == file {
                    try? FileManager.default.removeItem(atPath: entry.directory)
                }
            }
        }
        return retention
    }

    /// The webhook for a camera notice: event start, event end (once its clip is final), camera offline/online.
    private static func webhookEvent(_ notice: CameraNotice) -> WebhookEvent? {
        switch notice {
        case .event(let camera, .started(let number, _, let wallClock)):
            return WebhookEvent(type: "event.start", camera: camera, time: wallClock ?? Date(), eventIndex: number)
        case .event(let camera, .clipFinished(let event)):
            var details = ["peakScore": String(event.peakScore), "durationSeconds": String(event.durationSeconds)]
            details["clip"] = event.clipPath.map { ($0 as NSString).lastPathComponent }
            details["thumbnail"] = event.thumbnailPath.map { ($0 as NSString).lastPathComponent }
            return WebhookEvent(type: "event.end", camera: camera, eventIndex: event.index, details: details)
        case .event(_, .ended):
            return nil
        case .offline(let camera, let since):
            return WebhookEvent(type: "camera.offline", camera: camera, details: ["since": since.formatted(.iso8601)])
        case .online(let camera):
            return WebhookEvent(type: "camera.online", camera: camera)
        }
    }

    /// The retained MQTT state a notice sets: `motion` while an event lasts, `idle` after, `offline`/`online`.
    private static func mqttState(_ notice: CameraNotice) -> (String, String)? {
        switch notice {
        case .event(let camera, .started): return (camera, "motion")
        case .event(let camera, .ended): return (camera, "idle")
        case .event(_, .clipFinished): return nil
        case .offline(let camera, _): return (camera, "offline")
        case .online(let camera): return (camera, "online")
        }
    }

    /// A finished clip goes into the spool's `pending/` (hard-linked, so the clip stays in its camera folder).
    private static func enqueue(_ notice: CameraNotice, into spool: SpoolDirectory, logger: Logger) {
        guard case .event(let camera, .clipFinished(let event)) = notice, let clip = event.clipPath else { return }
        // The snapshot (thumbnails: true) is uploaded as its own object, with the event's sidecar.
        for file in [clip] + [event.thumbnailPath].compactMap({ $0 }) {
            do {
                let entry = try spool.enqueue(clip: file, sidecar: event.sidecarPath, camera: camera)
                logger.info("clip queued for upload", metadata: ["camera.id": "\(camera)", "spool.entry": "\(entry.id)"])
            } catch {
                logger.error("could not queue a file for upload; it stays in its camera folder",
                             metadata: ["camera.id": "\(camera)", "clip.path": "\(file)", "error": "\(error)"])
            }
        }
    }

    /// The service settings from --config, or from the flags.
    private func loadSettings() throws -> ServiceConfiguration {
        if let config {
            do { return try ServiceConfiguration.load(path: config) } catch { throw CommandFailure(error.description) }
        }
        var base = try detection.resolve().options
        base.demuxer.timeout = .milliseconds(Int64(stallTimeout * 1000))
        let output = output ?? "."
        let specs = try cameras.map { text -> CameraConfiguration in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            let url: String
            do { url = try EnvironmentExpansion.expand(parts[1]) } catch { throw ValidationError("--camera \(parts[0]): \(error)") }
            return CameraConfiguration(name: parts[0], source: SourceURL(url), options: base, container: container, output: output)
        }
        var settings = ServiceConfiguration(output: output, cameras: specs)
        settings.stallTimeout = stallTimeout
        settings.spool = spool
        settings.metrics = metrics.flatMap(MetricsListen.init(parsing:))
        return settings
    }

    /// SIGHUP: reload --config; a config with problems is logged and the running cameras are kept.
    private func reload(_ service: CameraService, logger: Logger) {
        guard let config else {
            logger.notice("SIGHUP ignored: no --config file to reload")
            return
        }
        do {
            let settings = try ServiceConfiguration.load(path: config)
            let change = service.reload(settings.cameraSpecs)
            logger.notice("config reloaded", metadata: [
                "cameras.started": "\(change.started.joined(separator: ","))",
                "cameras.restarted": "\(change.restarted.joined(separator: ","))",
                "cameras.stopped": "\(change.stopped.joined(separator: ","))",
            ])
        } catch {
            logger.error("config reload refused; cameras keep running with the previous config", metadata: ["error": "\(error)"])
        }
    }
}
