import Foundation
import Logging
import Synchronization

/// A live camera with a separate detect stream (`detect-source:`): detection runs on the (low-resolution) detect
/// stream, clips are cut by stream copy from the main stream, and the two are matched by time, never by frame.
///
/// The calling thread runs a ``ScanSession`` on the detect stream with clips off. A second thread reads the main
/// stream's packets (no decoding) into a ``ClipRecorder``. Each stream's wall-clock origin is estimated as the
/// earliest `arrival − (pts − first pts)` seen so far (network and decoder delays only make arrivals later, so
/// the minimum is the best estimate); a detect time `t` maps to main-stream time
/// `t_main = t + detectOrigin − mainOrigin` (relative to each stream's first timestamp). Event start, progress and
/// end go to the main thread as commands; it starts the clip at the last keyframe at or before the start, writes
/// through the frames the detector has confirmed, and finishes the clip once the main stream has passed the end,
/// then writes the JSON sidecar (with `detectSource`) and tells ``ScanOptions/eventHandler`` `.clipFinished`.
///
/// Either stream failing or ending stops both (the open clip is finished with what was received), and the
/// failure is thrown as ``ScanInterrupted``, so a supervisor reconnects the pair.
final class DualStreamSession {
    let main: SourceURL
    let detect: SourceURL
    let options: ScanOptions
    private let logger: Logger

    /// - Parameter options: the camera's options; `clips` (with `camera` set) says where clips go.
    init(main: SourceURL, detect: SourceURL, options: ScanOptions, logger: Logger) {
        self.main = main
        self.detect = detect
        self.options = options
        self.logger = logger
    }

    /// Runs until either stream fails or ends, or ``ScanOptions/interrupt`` is cancelled.
    /// - Returns: the detect stream's scan result.
    @available(*, noasync, message: "blocks; run on a thread of its own")
    func run(onFrame: ((FrameRecord) -> Void)? = nil, onProgress: ((ScanProgress) -> Void)? = nil) throws -> ScanResult {
        guard let clips = options.clips else { throw ScanInputError(description: "a detect stream needs clip settings") }
        let origin = options.wallClockOrigin ?? Date()
        let detectInterrupt = options.interrupt ?? InterruptFlag()
        let shared = DualStreamShared(detectInterrupt: detectInterrupt)
        let recorderThread = MainStreamRecorder(
            source: main, detectSource: detect.redacted, settings: clips, options: options, shared: shared, logger: logger)
        let thread = Thread { recorderThread.run() }
        thread.name = "camera-main-\(clips.camera ?? "")"
        thread.start()

        var detectOptions = options
        detectOptions.clips = nil
        detectOptions.clipEncoding = nil
        detectOptions.interrupt = detectInterrupt
        detectOptions.wallClockOrigin = origin
        // Frame threading would delay each decoded frame by a frame per thread, and with it the detect stream's
        // wall-clock estimate; a low-resolution stream decodes fast enough on one thread.
        if detectOptions.decoderThreads == 0 { detectOptions.decoderThreads = 1 }
        // Thumbnails come from the detect stream's pictures (where the event's box lies). They are written to a
        // hidden folder of the camera and moved beside the main-stream clip when it is finished.
        if options.thumbnails {
            detectOptions.thumbnailDirectory = MainStreamRecorder.thumbnailStaging(clips)
        }
        let handler = options.eventHandler
        detectOptions.eventHandler = { notice in
            switch notice {
            case .started(let number, _, let wallClock):
                let t = (wallClock ?? origin).timeIntervalSince(origin)
                shared.send(.start(number: number, detectSeconds: t))
            case .ended(let event):
                shared.send(.end(event))
            case .clipFinished:
                break
            }
            handler?(notice)
        }
        logger.info("camera detecting on a detect stream", metadata: ["camera.detect-source": "\(detect.redacted)"])
        let result: Result<ScanResult, Error>
        do {
            result = .success(try ScanSession(inputs: [detect], options: detectOptions, logger: logger).run(
                onFrame: { record in
                    shared.detectFrame(ptsSeconds: record.ptsSeconds)
                    onFrame?(record)
                },
                onProgress: onProgress))
        } catch {
            result = .failure(error)
        }
        shared.detectEnded()
        recorderThread.done.wait()
        if case .success(let scan) = result, let failure = shared.mainFailure {
            throw ScanInterrupted(cause: failure, partial: scan.events)
        }
        return try result.get()
    }
}

/// What the detect thread tells the main-stream thread.
enum DualStreamCommand: Sendable {
    /// Event `number` starts (pre-roll included) at `detectSeconds` of the detect stream.
    case start(number: Int, detectSeconds: Double)
    /// The detector has processed the detect frame at `detectSeconds` inside the open event.
    case through(detectSeconds: Double)
    case end(ScannedEvent)
}

/// State shared by the two threads of a ``DualStreamSession``.
final class DualStreamShared: Sendable {
    private struct State {
        var commands: [DualStreamCommand] = []
        /// Wall-clock estimates (seconds since 1970) of each stream's first timestamp.
        var detectOrigin: Double?
        var mainOrigin: Double?
        var inEvent = false
        var detectEnded = false
        var mainFailure: MediaError?
    }
    private let state = Mutex(State())
    let detectInterrupt: InterruptFlag
    let mainInterrupt = InterruptFlag()

    init(detectInterrupt: InterruptFlag) { self.detectInterrupt = detectInterrupt }

    func send(_ command: DualStreamCommand) {
        state.withLock {
            $0.commands.append(command)
            if case .start = command { $0.inEvent = true }
            if case .end = command { $0.inEvent = false }
        }
    }

    /// A detect frame was processed: refines the detect origin and, inside an event, confirms the clip up to it.
    func detectFrame(ptsSeconds: Double) {
        let now = Date().timeIntervalSince1970
        state.withLock {
            $0.detectOrigin = min($0.detectOrigin ?? .infinity, now - ptsSeconds)
            if $0.inEvent { $0.commands.append(.through(detectSeconds: ptsSeconds)) }
        }
    }

    /// A main-stream video packet arrived with `relativeSeconds` since the stream's first timestamp.
    func mainPacket(relativeSeconds: Double) {
        let now = Date().timeIntervalSince1970
        state.withLock { $0.mainOrigin = min($0.mainOrigin ?? .infinity, now - relativeSeconds) }
    }

    /// Detect-stream seconds → main-stream seconds (both relative to their first timestamps), and the offset used.
    func mainSeconds(detect t: Double) -> (seconds: Double, offset: Double) {
        state.withLock {
            let offset = ($0.detectOrigin ?? 0) - ($0.mainOrigin ?? $0.detectOrigin ?? 0)
            return (t + offset, offset)
        }
    }

    /// Wall clock of a detect-stream time.
    func wallClock(detect t: Double) -> Date? {
        state.withLock { $0.detectOrigin.map { Date(timeIntervalSince1970: $0 + t) } }
    }

    func takeCommands() -> (commands: [DualStreamCommand], detectEnded: Bool) {
        state.withLock { s in
            defer { s.commands.removeAll() }
            return (s.commands, s.detectEnded)
        }
    }

    /// The detect session returned: the main thread finishes its clip and stops.
    func detectEnded() {
        state.withLock { $0.detectEnded = true }
        mainInterrupt.cancel()
    }

    var isDetectEnded: Bool { state.withLock { $0.detectEnded } }

    /// The main stream failed or ended: the detect session is stopped too.
    func mainFailed(_ error: MediaError) {
        state.withLock { $0.mainFailure = $0.mainFailure ?? error }
        detectInterrupt.cancel()
    }

    var mainFailure: MediaError? { state.withLock { $0.mainFailure } }
}

/// The main-stream thread of a ``DualStreamSession``: packets into a ``ClipRecorder``, clips on command.
private final class MainStreamRecorder: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let source: SourceURL
    private let detectSource: String
    private let settings: ClipSettings
    private let options: ScanOptions
    private let shared: DualStreamShared
    private let logger: Logger

    // Touched only by the main-stream thread.
    private var recorder: ClipRecorder?
    private var firstPTS: MediaTime?
    private var newestPTS: MediaTime?
    private var newestDTS: MediaTime?
    private var open: OpenEvent?
    private var fps = 25.0

    private struct OpenEvent {
        var number: Int
        var clipPath: String
        var sidecarPath: String
        var detectStart: Double
        var requested: MediaTime
        var started = false
        var end: ScannedEvent?
        var endTime: MediaTime?
        var offset: Double
    }

    init(source: SourceURL, detectSource: String, settings: ClipSettings, options: ScanOptions, shared: DualStreamShared,
         logger: Logger) {
        self.source = source
        self.detectSource = detectSource
        self.settings = settings
        self.options = options
        self.shared = shared
        self.logger = logger
    }

    func run() {
        defer { done.signal() }
        do {
            try record()
        } catch let error as MediaError where error.code == .cancelled && shared.isDetectEnded {
            // Stopped because the detect stream ended.
        } catch let error as MediaError {
            logger.info("camera main stream failed", metadata: ["error": "\(error)"])
            shared.mainFailed(error)
        } catch {
            logger.error("camera main stream recording failed", metadata: ["error": "\(error)"])
            shared.mainFailed(MediaError(code: .invalidData, operation: "recording \(source.redacted)", reason: "\(error)"))
        }
        // Wait for the detect session to end (it reports the open event's end), then finish the clip.
        while !shared.isDetectEnded { usleep(20_000) }
        do {
            try handleCommands(final: true)
            try finishOpen(cutShort: true)
        } catch {
            logger.error("camera clip could not be finished", metadata: ["error": "\(error)"])
        }
        recorder = nil  // closes the main stream
    }

    private func record() throws {
        let demuxer = try Demuxer(source: source, options: options.demuxer, interrupt: shared.mainInterrupt)
        guard let video = demuxer.videoStreamIndex else {
            throw MediaError(code: .unsupported, operation: "opening \(source.redacted)", reason: "the main stream has no video")
        }
        fps = max(1, demuxer.stream(video).framesPerSecond)
        for folder in Self.clipFolders(settings) { ClipFiles.recover(in: folder, logger: logger) }
        // Pre-roll before the event start, the detector's minimum event (reported only once it has passed), and
        // slack for the streams' misalignment and detection latency.
        let retention = options.timeBeforeEvent.seconds(fps: fps) + options.minEventLength.seconds(fps: fps)
            + Double(options.frameSkip + 1) / fps + 3
        let recorder = try ClipRecorder(demuxer: demuxer, settings: settings, retentionSeconds: retention, logger: logger)
        self.recorder = recorder
        logger.info("camera recording the main stream", metadata: [
            "camera.source": "\(source.redacted)", "stream.size": "\(demuxer.stream(video).width)x\(demuxer.stream(video).height)"])
        var packet = try Packet()
        while true {
            guard try demuxer.read(into: &packet) == .packet else {
                throw MediaError(code: .network, operation: "reading packets from \(source.redacted)", reason: "the main stream ended")
            }
            if packet.streamIndex == video {
                let info = packet.info(timeBase: demuxer.stream(video).timeBase)
                if let t = info.pts ?? info.dts {
                    let first = firstPTS ?? t
                    firstPTS = first
                    shared.mainPacket(relativeSeconds: t.seconds - first.seconds)
                    if newestPTS.map({ $0 < t }) ?? true { newestPTS = t }
                }
                if let d = info.dts ?? info.pts, newestDTS.map({ $0 < d }) ?? true { newestDTS = d }
            }
            try recorder.add(packet)
            try handleCommands(final: false)
            if shared.isDetectEnded { return }
        }
    }

    private func mainTime(_ detectSeconds: Double) -> (time: MediaTime, offset: Double)? {
        guard let first = firstPTS else { return nil }
        let (seconds, offset) = shared.mainSeconds(detect: detectSeconds)
        return (MediaTime(ticks: first.ticks + Int64((seconds / first.timeBase.doubleValue).rounded()), timeBase: first.timeBase),
                offset)
    }

    private func handleCommands(final: Bool) throws {
        let (commands, _) = shared.takeCommands()
        for command in commands {
            switch command {
            case .start(let number, let t):
                try finishOpen(cutShort: true)
                let wall = shared.wallClock(detect: t) ?? Date()
                let paths = Self.paths(settings: settings, start: wall)
                guard let mapped = mainTime(t) else {
                    logger.warning("camera event started before the main stream sent a packet; no clip", metadata: ["event.number": "\(number)"])
                    continue
                }
                open = OpenEvent(number: number, clipPath: paths.clip, sidecarPath: paths.sidecar, detectStart: t,
                                 requested: mapped.time, offset: mapped.offset)
            case .through(let t):
                guard open?.end == nil, let recorder, recorder.isRecording, let mapped = mainTime(t) else { continue }
                try recorder.write(through: mapped.time)
            case .end(let event):
                guard open != nil else { continue }
                open?.end = event
                open?.endTime = mainTime(event.endPTSSeconds)?.time
            }
        }
        try startIfReady(final: final)
        // Finished once every packet shown before the end was read (decode order: a packet whose dts reaches the end).
        if let end = open?.endTime, open?.started == true, let dts = newestDTS, !(dts < end) {
            try finishOpen(cutShort: false)
        }
    }

    /// Starts the open event's clip once the main stream has reached its start (so the last keyframe before it is held).
    private func startIfReady(final: Bool) throws {
        guard let event = open, !event.started, let recorder, let newest = newestPTS else { return }
        guard final || !(newest < event.requested) else { return }
        let actual = try recorder.start(path: event.clipPath, at: event.requested)
        open?.started = true
        logger.info("camera clip started from the main stream", metadata: [
            "clip.path": "\(event.clipPath)", "clip.requested": "\(String(format: "%.3f", event.requested.seconds))",
            "clip.keyframe": "\(String(format: "%.3f", actual.seconds))",
            "streams.offset.seconds": "\(String(format: "%.3f", event.offset))"])
    }

    /// Finishes the open clip (at the event's end if known, else with everything received) and writes its sidecar.
    private func finishOpen(cutShort: Bool) throws {
        guard let event = open else { return }
        open = nil
        guard event.started, let recorder, recorder.isRecording else {
            if let staged = event.end?.thumbnailPath { unlink(staged) }  // no clip to put it beside
            return
        }
        let clip = try recorder.finish(at: event.endTime)
        guard var scanned = event.end else {
            logger.warning("camera clip finished without its event's end", metadata: ["clip.path": "\(clip.path)"])
            return
        }
        let requestedPreRoll = options.timeBeforeEvent.seconds(fps: fps)
        let motion = event.requested.seconds + requestedPreRoll
        // The detect stream's thumbnail goes beside the clip, under the clip's name.
        if let staged = scanned.thumbnailPath {
            let beside = (clip.path as NSString).deletingPathExtension + ".jpg"
            if rename(staged, beside) == 0 {
                scanned.thumbnailPath = beside
            } else {
                logger.warning("camera thumbnail could not be moved beside its clip", metadata: [
                    "thumbnail.path": "\(staged)", "clip.path": "\(clip.path)", "error": "\(String(cString: strerror(errno)))"])
                scanned.thumbnailPath = nil
            }
        }
        func iso(_ t: Double) -> String? {
            shared.wallClock(detect: t)?.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        let record = EventRecord(
            camera: settings.camera, source: source.redacted, eventIndex: scanned.index, startFrame: scanned.startFrame,
            endFrame: scanned.endFrame, startSeconds: scanned.startSeconds, endSeconds: scanned.endSeconds,
            startPTSSeconds: scanned.startPTSSeconds, endPTSSeconds: scanned.endPTSSeconds,
            wallClockStart: iso(scanned.startPTSSeconds), wallClockEnd: iso(scanned.endPTSSeconds),
            requestedPreRollSeconds: requestedPreRoll, achievedPreRollSeconds: max(0, motion - clip.actualStartSeconds),
            peakScore: scanned.peakScore, peakFrame: scanned.peakFrame, boundingBox: scanned.boundingBox,
            triggeredRegions: scanned.triggeredRegions, clip: (clip.path as NSString).lastPathComponent,
            thumbnail: scanned.thumbnailPath.map { ($0 as NSString).lastPathComponent },
            clipBytes: clip.bytes, clipSHA256: clip.sha256, droppedStreams: clip.droppedStreams)
        let first = firstPTS?.seconds ?? 0
        let clipEnd: Any = event.endTime.map { $0.seconds - first } ?? NSNull()
        try Self.writeSidecar(record, to: event.sidecarPath, extra: [
            "detectSource": detectSource,
            "streamOffsetSeconds": event.offset,
            "clipRequestedStartSeconds": event.requested.seconds - first,
            "clipStartSeconds": clip.actualStartSeconds - first,
            "clipEndSeconds": clipEnd,
            "cutShort": cutShort && event.endTime.map { end in newestDTS.map { $0 < end } ?? true } ?? true,
        ])
        scanned.clipPath = clip.path
        scanned.sidecarPath = event.sidecarPath
        logger.info("camera clip finished", metadata: ["clip.path": "\(clip.path)", "clip.bytes": "\(clip.bytes)"])
        options.eventHandler?(.clipFinished(scanned))
    }

    /// Where the detect session writes thumbnails until their clip is finished: `OUTPUT/<camera>/.thumbnails`.
    static func thumbnailStaging(_ settings: ClipSettings) -> String {
        ((settings.directory as NSString).appendingPathComponent(settings.camera ?? "camera") as NSString)
            .appendingPathComponent(".thumbnails")
    }

    /// Every dated folder of the camera (clips left `.partial` by a crash are recovered at start).
    static func clipFolders(_ settings: ClipSettings) -> [String] {
        let root = (settings.directory as NSString).appendingPathComponent(settings.camera ?? "camera")
        let days = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return days.map { (root as NSString).appendingPathComponent($0) }
    }

    /// `OUTPUT/<camera>/<YYYY-MM-DD>/<camera>-<UTC>.<ext>` and its `.json`, as ``ClipOutput`` names a camera's clips.
    static func paths(settings: ClipSettings, start: Date) -> (clip: String, sidecar: String) {
        let camera = settings.camera ?? "camera"
        let day = start.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        let time = start.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
            .dateSeparator(.omitted).timeSeparator(.omitted))
        let folder = ((settings.directory as NSString).appendingPathComponent(camera) as NSString).appendingPathComponent(day)
        let base = (folder as NSString).appendingPathComponent("\(camera)-\(time)")
        return (base + "." + settings.container.fileExtension, base + ".json")
    }

    /// The ``EventRecord`` JSON plus the detect stream's fields, written atomically (temporary file, fsync, rename).
    static func writeSidecar(_ record: EventRecord, to path: String, extra: [String: Any]) throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any] ?? [:]
        object.merge(extra) { $1 }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        let fd = Glibc.open(temporary, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
        guard rename(temporary, path) == 0 else {
            throw ClipFileError("rename \(temporary) -> \(path): \(String(cString: strerror(errno)))")
        }
    }
}

private extension TimeSpec {
    func seconds(fps: Double) -> Double { Double(frames(fps: fps)) / fps }
}
