import Foundation
import Logging
import Synchronization

/// One camera watched by `run`: a name (used in folders and logs), its sources, detection options and
/// where its clips go.
public struct CameraSpec: Sendable {
    public var name: String
    /// The main stream: clips are cut from it.
    public var source: SourceURL
    /// Optional low-resolution stream to detect on (``DualStreamSession``): clips are still cut from `source`.
    public var detectSource: SourceURL?
    public var options: ScanOptions
    /// Clips go to `output/<name>/<YYYY-MM-DD>/`.
    public var output: String
    public var container: ClipContainer
    /// Changes whenever a setting changes; a reload restarts the camera only then.
    public var fingerprint: String
    /// Seconds without a working stream before a camera-offline notice.
    public var offlineAfter: Double = 60

    /// A local file as the source stands in for a camera: it is read at its own pace and played in a loop.
    public var loopsFile: Bool { !source.isNetwork && !source.isVideoDevice }

    public init(name: String, source: SourceURL, options: ScanOptions, output: String, container: ClipContainer = .mp4,
                detectSource: SourceURL? = nil, fingerprint: String = "") {
        self.fingerprint = fingerprint
        self.name = name
        self.source = source
        self.options = options
        self.output = output
        self.container = container
        self.detectSource = detectSource
    }
}

/// Keeps one camera recording: runs its pipeline (a ``ScanSession`` on the live source, with clips) on a
/// dedicated thread, and when the source errors, ends or stalls (no packet within the read timeout),
/// reconnects with exponential backoff and jitter (1 s doubling up to 60 s; back to 1 s after a session that
/// streamed for 30 s). One camera's failures never touch another's thread.
public final class CameraSupervisor: Sendable {
    /// What the camera is doing.
    public enum State: String, Sendable, CaseIterable {
        case connecting, streaming, backoff, stopped
    }

    public let spec: CameraSpec
    private let logger: Logger
    private let notices: (@Sendable (CameraNotice) -> Void)?
    private let status = Mutex(CameraStatus(name: ""))
    private let control = Mutex(Control())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// The background model survives reconnects within 30 s.
    private let model = DetectorHandoff(maxGap: 30)

    private struct Control {
        var stopping = false
        var interrupt: InterruptFlag?
        var heartbeat = ContinuousClock.now
        /// Frames and time of the last fps sample.
        var rateSample: (frames: Int, at: ContinuousClock.Instant)?
    }

    /// - Parameter notices: told about events, clips and the camera going offline or coming back.
    public init(spec: CameraSpec, logger: Logger, notices: (@Sendable (CameraNotice) -> Void)? = nil) {
        self.spec = spec
        var logger = logger
        logger[metadataKey: "camera.id"] = "\(spec.name)"
        self.logger = logger
        self.notices = notices
        status.withLock { $0 = CameraStatus(name: spec.name) }
    }

    /// Everything `/metrics` and `/healthz` show about this camera.
    public var snapshot: CameraStatus { status.withLock { $0 } }
    public var state: State { snapshot.state }
    public var reconnects: Int { snapshot.reconnects }
    public var events: Int { snapshot.events }

    /// Seconds since the camera's thread last showed it is alive (a frame, a connect attempt, a backoff tick).
    /// A thread stuck in a call that ignores its timeout shows here; the systemd watchdog uses it.
    public var secondsSinceHeartbeat: Double { (ContinuousClock.now - control.withLock { $0.heartbeat }).seconds }

    private func beat() { control.withLock { $0.heartbeat = .now } }
    private var stopping: Bool { control.withLock { $0.stopping } }

    /// Starts the camera's thread.
    public func start() {
        let thread = Thread { [self] in
            runLoop()
            finished.signal()
        }
        thread.name = "camera-\(spec.name)"
        thread.start()
    }

    /// Asks the camera to stop: reading stops, the open clip is finished (post time cut short).
    public func stop() {
        let interrupt = control.withLock { c -> InterruptFlag? in
            c.stopping = true
            return c.interrupt
        }
        interrupt?.cancel()
        wake.signal()
    }

    /// Waits until the camera's thread has finished, up to `timeout` seconds; false if it has not.
    public func waitUntilStopped(timeout: Double) -> Bool {
        finished.wait(timeout: .now() + timeout) == .success
    }

    private func runLoop() {
        var delay = 1.0
        var offline = OfflineTracker(camera: spec.name, after: spec.offlineAfter)
        while !stopping {
            let interrupt = InterruptFlag()
            control.withLock { $0.interrupt = interrupt }
            status.withLock { $0.state = .connecting }
            if stopping { interrupt.cancel() }
            beat()
            let started = Date()
            let (framesBefore, errorsBefore) = status.withLock { ($0.framesDecoded, $0.decodeErrors) }
            do {
                logger.info("camera connecting", metadata: ["camera.source": "\(spec.source.redacted)"])
                let onFrame: (FrameRecord) -> Void = { record in self.status.withLock { $0.currentScore = record.score.score } }
                let onProgress: (ScanProgress) -> Void = { self.progressed($0, framesBefore: framesBefore, errorsBefore: errorsBefore) }
                // With a detect stream, detection runs on it and clips are cut from `source`, matched by time.
                let result = try spec.detectSource.map {
                    try DualStreamSession(main: spec.source, detect: $0, options: sessionOptions(interrupt), logger: logger)
                        .run(onFrame: onFrame, onProgress: onProgress)
                } ?? ScanSession(inputs: [spec.source], options: sessionOptions(interrupt), logger: logger)
                    .run(onFrame: onFrame, onProgress: onProgress)
                logger.info("camera stream ended", metadata: ["camera.events": "\(result.events.count)"])
                if spec.loopsFile, !stopping {
                    // A file stands in for a camera: play it again at once, keeping the background model.
                    status.withLock { $0.loops += 1 }
                    continue
                }
            } catch let error as ScanInterrupted {
                logger.info("camera stream failed", metadata: ["error": "\(error.cause)"])
                status.withLock { $0.lastError = error.cause.description }
            } catch {
                logger.info("camera session failed", metadata: ["error": "\(error)"])
                status.withLock { $0.lastError = "\(error)" }
            }
            let streamed = status.withLock { $0.framesDecoded > framesBefore }
            if stopping { break }
            if streamed, let notice = offline.streamed() {
                logger.notice("camera back online")
                notify(notice)
            }
            if !streamed, let notice = offline.failed(attemptAt: started) {
                logger.warning("camera offline", metadata: ["offline.after.seconds": "\(spec.offlineAfter)"])
                notify(notice)
            }
            if Date().timeIntervalSince(started) > 30 { delay = 1 }
            let wait = delay * Double.random(in: 0.8...1.2)
            status.withLock {
                $0.state = .backoff
                $0.reconnects += 1
                $0.currentScore = 0
                $0.framesPerSecond = 0
            }
            control.withLock { $0.rateSample = nil }
            logger.info("camera reconnecting after backoff", metadata: ["backoff.seconds": "\(String(format: "%.1f", wait))"])
            let resume = Date().addingTimeInterval(wait)
            while !stopping, Date() < resume {
                beat()
                _ = wake.wait(timeout: .now() + min(1, max(0, resume.timeIntervalSinceNow)))
            }
            delay = min(delay * 2, 60)
        }
        status.withLock { $0.state = .stopped }
    }

    /// The session's options: clips into the camera's folders, events reported here.
    private func sessionOptions(_ interrupt: InterruptFlag) -> ScanOptions {
        var options = spec.options
        options.interrupt = interrupt
        options.wallClockOrigin = Date()
        options.realTime = spec.loopsFile
        // A live stream needs decode at its own pace only: one decoding thread per camera keeps each camera's
        // memory small (frame threads each hold reference frames) and leaves the cores to the other cameras.
        if options.decoderThreads == 0 { options.decoderThreads = 1 }
        options.detectorHandoff = model
        var clips = ClipSettings(directory: spec.output, container: spec.container)
        clips.camera = spec.name
        options.clips = clips
        options.eventHandler = { [self] notice in
            switch notice {
            case .started(_, _, let wallClock):
                status.withLock { $0.lastEventStart = wallClock ?? Date() }
            case .ended:
                status.withLock { $0.events += 1 }
            case .clipFinished:
                break
            }
            notify(.event(camera: spec.name, notice))
        }
        return options
    }

    private func progressed(_ progress: ScanProgress, framesBefore: Int, errorsBefore: Int) {
        let now = ContinuousClock.now
        let frames = framesBefore + progress.framesRead
        let rate: Double? = control.withLock { c in
            defer { c.heartbeat = now }
            guard let sample = c.rateSample else {
                c.rateSample = (frames, now)
                return nil
            }
            let seconds = (now - sample.at).seconds
            guard seconds >= 1 else { return nil }
            c.rateSample = (frames, now)
            return Double(frames - sample.frames) / seconds
        }
        status.withLock {
            $0.state = .streaming
            $0.framesDecoded = frames
            $0.decodeErrors = errorsBefore + progress.decodeErrors
            if let rate { $0.framesPerSecond = rate }
        }
    }

    private func notify(_ notice: CameraNotice) {
        notices?(notice)
    }
}

/// What a ``CameraSupervisor`` tells the service: events and clips, and the camera going offline or coming back.
public enum CameraNotice: Sendable {
    case event(camera: String, ScanEventNotice)
    /// The camera has had no working stream since `since` (for at least its `offlineAfter`).
    case offline(camera: String, since: Date)
    /// An offline camera streams again.
    case online(camera: String)
}

/// A camera's counters and state, as `/metrics` and `/healthz` show them.
public struct CameraStatus: Sendable {
    public var name: String
    public var state = CameraSupervisor.State.connecting
    /// Frames decoded since the service started (all sessions).
    public var framesDecoded = 0
    /// Decoded frames per second over the last second or so.
    public var framesPerSecond = 0.0
    public var decodeErrors = 0
    public var reconnects = 0
    /// Times a looped file source was played again from the start.
    public var loops = 0
    /// Events that ended since the service started.
    public var events = 0
    /// UTC start of the latest event.
    public var lastEventStart: Date?
    /// The latest processed frame's score.
    public var currentScore = 0.0
    /// The last failure, credentials redacted.
    public var lastError: String?

    public init(name: String) { self.name = name }
}

/// Decides when a camera counts as offline (no working stream for `after` seconds) and when it is back,
/// so each outage gives one offline notice and one online notice.
struct OfflineTracker {
    let camera: String
    let after: Double
    private var failingSince: Date?
    private var reported = false

    init(camera: String, after: Double) {
        self.camera = camera
        self.after = after
    }

    /// A session that streamed: the camera is up (an online notice if it had been reported offline).
    mutating func streamed() -> CameraNotice? {
        defer {
            failingSince = nil
            reported = false
        }
        return reported ? .online(camera: camera) : nil
    }

    /// A session that never streamed, attempted at `attempt`: the offline notice once the outage is long enough.
    mutating func failed(attemptAt attempt: Date, now: Date = Date()) -> CameraNotice? {
        let since = failingSince ?? attempt
        failingSince = since
        guard !reported, now.timeIntervalSince(since) >= after else { return nil }
        reported = true
        return .offline(camera: camera, since: since)
    }
}
