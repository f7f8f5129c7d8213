import Foundation
import Logging

/// One processed frame, for score dumps and plots.
public struct FrameRecord: Sendable {
    /// 0-based index of the frame in the (concatenated) input.
    public var frame: Int
    /// Presentation time relative to the first frame, in seconds.
    public var ptsSeconds: Double
    public var score: FrameScore
}

/// How far a scan has come, for progress lines.
public struct ScanProgress: Sendable {
    public var framesRead: Int
    /// Decoder errors so far (damaged packets).
    public var decodeErrors = 0
    /// Total frames of all inputs when their headers say, for a percentage.
    public var totalFrames: Int?
    public var elapsedSeconds: Double
}

/// A scan whose input failed part-way (a camera dropped): the events found until then were finished (clips
/// written) and are in `partial`; `cause` is the media error.
public struct ScanInterrupted: Error, CustomStringConvertible, Sendable {
    public var cause: MediaError
    public var partial: [ScannedEvent]
    public var description: String { cause.description }
}

/// An input that cannot be scanned together with the first one.
public struct ScanInputError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// A file scan: the `scan` command's engine. Decodes each input once, computes dvr-scan's gray at the
/// sampled pixels, runs the detector and the event state machine, and reports events with dvr-scan's
/// frame and time rules (DVR-SCAN.md §1.2, §4). Several inputs are concatenated as dvr-scan does: frame
/// numbers continue and the background model is kept.
public final class ScanSession {
    public let inputs: [SourceURL]
    public let options: ScanOptions
    private let logger: Logger

    public init(inputs: [SourceURL], options: ScanOptions, logger: Logger? = nil) {
        self.inputs = inputs
        self.options = options
        self.logger = logger ?? Logger(label: "seccam.scan", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Runs the scan to the end of the inputs (or `-et`/`-dt`).
    /// - Parameters:
    ///   - onFrame: sees every processed frame's score (for `--scores` and plots).
    ///   - onProgress: called a few times a second.
    /// - Throws: ``MediaError`` for unreadable inputs, ``MotionOptionError`` for invalid options,
    ///   ``ScanInputError`` when a later input's size differs from the first.
    @available(*, noasync, message: "blocks; run on a thread of its own")
    public func run(onFrame: ((FrameRecord) -> Void)? = nil, onProgress: ((ScanProgress) -> Void)? = nil) throws -> ScanResult {
        precondition(!inputs.isEmpty, "a scan needs at least one input")
        try options.validate()
        if options.usePresentationTimes, inputs.count > 1 {
            throw MotionOptionError(option: "use-pts", message: "PTS mode takes one input; scan the files one at a time")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let live = ConcatenatedFrames.isLive(inputs)
        let overlapped = Self.overlapsDetection(options, live: live)
        var source = try ConcatenatedFrames(inputs: inputs, options: options.demuxer,
                                            threads: overlapped && options.decoderThreads == 0 ? 1 : options.decoderThreads,
                                            interrupt: options.interrupt ?? InterruptFlag())
        let fps = source.framesPerSecond
        if let path = options.saveRegions {
            try RegionFile.save(options.detector.regions, width: source.width, height: source.height, to: path)
        }
        let detector = try options.detectorHandoff?.take(width: source.width, height: source.height)
            ?? MotionDetector(options: options.detector, videoWidth: source.width, videoHeight: source.height)
        defer { options.detectorHandoff?.keep(detector, width: source.width, height: source.height) }
        let plan = detector.plan
        var sampling = GraySampling(cropX: plan.cropX, cropY: plan.cropY, step: plan.step, width: plan.width, height: plan.height)
        let startFrame = options.startTime?.frames(fps: fps) ?? 0
        let endFrame: Int? = options.duration.map { $0.frames(fps: fps) + startFrame } ?? options.endTime?.frames(fps: fps)
        let stride = options.frameSkip + 1
        let batch = Self.framesPerBatch(options, camera: live || options.realTime, pixels: plan.width * plan.height)
        let scoring = ScoringPipeline(detector: detector, batch: batch, overlapped: overlapped, frameStride: stride)
        defer { scoring.stop() }
        var tracker = EventTracker(
            threshold: options.detector.threshold, minEventLength: options.minEventLength.frames(fps: fps),
            timeBeforeEvent: options.timeBeforeEvent.frames(fps: fps), timePostEvent: options.timePostEvent.frames(fps: fps),
            frameSkip: options.frameSkip, startFrame: startFrame, ptsFramesPerSecond: options.usePresentationTimes ? fps : nil)
        // With per-zone thresholds the detector decides which frames are above; otherwise dvr-scan's rule.
        let regionRule = options.detector.regions.contains { $0.threshold != nil }
        let regionNames = options.detector.regions.enumerated().map { $0.element.name ?? "\($0.offset + 1)" }

        let encoded = try options.clips.flatMap { settings in
            try options.clipEncoding.map { encoding in
                try EncodedClipOutput(settings: settings, encoding: encoding, inputs: inputs, source: source, fps: fps, options: options,
                                      minimumFrames: tracker.minimumFrames, crop: (plan.cropX, plan.cropY, plan.step), logger: logger)
            }
        }
        let clips = try options.clips.flatMap { settings in encoded != nil ? nil : try ClipOutput(settings: settings, inputs: inputs, source: source, fps: fps, options: options,
                           minimumFrames: tracker.minimumFrames, scoringLag: scoring.lagFrames, logger: logger)
        }
        let thumbnails = try options.thumbnails
            ? ThumbnailOutput(directory: options.thumbnailDirectory ?? options.clips?.directory ?? ".", firstInput: inputs[0], logger: logger)
            : nil
        let maskVideo = try options.maskOutput.map { path throws(MediaError) in
            try MaskVideoOutput(path: path, plan: plan, framesPerSecond: fps, frameSkip: options.frameSkip)
        }
        var frame = try Frame()
        let converter = GrayConverter()
        var events: [ScannedEvent] = []
        var current: EventAccumulator?
        var processed = 0
        var lastProgress = clock.now

        /// The decoded frame at an event boundary: the boundary itself, except in PTS mode, where dvr-scan's
        /// boundaries are times on the frame grid (frame / fps) and the frame is found by its timestamp.
        func decodedFrame(_ boundary: Int) -> Int {
            options.usePresentationTimes ? source.frameIndex(atSeconds: Double(boundary) / fps) : boundary
        }
        /// `--thumbnails`: writes the JPEG of the event that just ended (dvr-scan writes it when the event ends).
        func writeThumbnail() throws {
            guard let thumbnails, let event = events.last else { return }
            // A live camera's snapshot is named after its event's clip and kept beside it.
            let clip = options.clips?.camera != nil ? clips?.clipPath : nil
            events[events.count - 1].thumbnailPath = try thumbnails.eventEnded(number: event.index, box: event.boundingBox, besideClip: clip)
        }

        /// Records an ended event; its thumbnail is written before the event is announced, so the notice names it.
        /// - Parameter lastScored: the frame whose score ended the event; later frames' times are extrapolated from
        ///   it, so the times do not depend on how far decoding ran ahead of scoring.
        func finishEvent(_ event: MotionEvent, lastScored: Int) throws {
            let acc = current ?? EventAccumulator(peakScore: 0, peakFrame: event.start, motionFrame: event.start)
            current = nil
            let (start, end) = (decodedFrame(event.start), decodedFrame(event.end))
            events.append(ScannedEvent(
                index: events.count + 1, startFrame: event.start, endFrame: event.end,
                startSeconds: Double(event.start) / fps, endSeconds: Double(event.end) / fps,
                durationSeconds: Double(max(0, event.end - event.start)) / fps,
                startPTSSeconds: source.ptsSeconds(ofFrame: start, knownThrough: lastScored),
                endPTSSeconds: source.ptsSeconds(ofFrame: end, knownThrough: lastScored),
                peakScore: acc.peakScore, peakFrame: acc.peakFrame, boundingBox: acc.box,
                triggeredRegions: acc.regions.sorted().map { regionNames[$0] }))
            clips?.eventEnded(events.count - 1, endFrame: end, motionFrame: acc.motionFrame)
            encoded?.eventEnded(events.count - 1, endFrame: end)
            try writeThumbnail()
            logger.info("motion event ended", metadata: ["event.index": "\(events.count)", "event.start": "\(event.start)", "event.end": "\(event.end)"])
            options.eventHandler?(.ended(events[events.count - 1]))
        }
        let onPacket: ((borrowing Packet) throws -> Void)? = clips.map { output in { (p: borrowing Packet) throws in try output.recorder.add(p) } }
        // A failure mid-input (a camera that drops, a cancel) ends the input like EOF, so that open events and
        // clips are finished; it is rethrown afterwards unless it was a requested cancel.
        var inputError: MediaError?
        /// `realTime`: waits until the frame's presentation time has come (relative to the first frame).
        func pace(toSeconds seconds: Double) {
            let due = started + .milliseconds(Int64(seconds * 1000))
            let wait = (due - clock.now).seconds
            if wait > 0, !(options.interrupt?.isCancelled ?? false) { Thread.sleep(forTimeInterval: wait) }
        }
        func next() throws -> Bool {
            let decoded: Bool
            do { decoded = try source.next(into: &frame, onPacket: onPacket) } catch let error as MediaError {
                inputError = error
                return false
            }
            guard decoded else { return false }
            if options.realTime { pace(toSeconds: source.ptsSeconds(ofFrame: source.position - 1)) }
            try clips?.frameDecoded(source, events: &events)
            try encoded?.frameDecoded(frame, index: source.position - 1)
            return true
        }

        /// Everything that follows a frame's score: thumbnails, the event state machine, clips, progress.
        func observe(_ score: FrameScore, index: Int, milliseconds: Double) throws {
            // Scores can come in a burst after their frames were decoded (``ScoringPipeline``): a clip whose end
            // frame is decoded is finished before a later score can start the next one.
            try clips?.frameDecoded(source, events: &events)
            try thumbnails?.observe(score, frame: index, picture: frame, rotation: source.rotation)
            encoded?.frameScored(score, index: index)
            processed += 1
            onFrame?(FrameRecord(frame: index, ptsSeconds: source.ptsSeconds(ofFrame: index), score: score))
            switch tracker.observe(frame: index, score: score.score, above: regionRule ? score.above : nil, milliseconds: milliseconds) {
            case .started(let boundary):
                let start = decodedFrame(boundary)
                let motionFrame = index - (tracker.minimumFrames - 1) * stride
                current = EventAccumulator(peakScore: score.score, peakFrame: index, motionFrame: motionFrame)
                try clips?.eventStarted(number: events.count + 1, startFrame: start, source: source)
                try encoded?.eventStarted(number: events.count + 1, startFrame: start, motionFrame: motionFrame)
                logger.info("motion event started", metadata: ["event.start": "\(boundary)", "frame": "\(index)"])
                options.eventHandler?(.started(number: events.count + 1, startFrame: boundary,
                                               wallClock: options.wallClockOrigin?.addingTimeInterval(source.ptsSeconds(ofFrame: start))))
            case .ended(let event):
                try finishEvent(event, lastScored: index)
            case nil:
                break
            }
            if tracker.inEvent {
                current?.add(score, frame: index)
                try clips?.eventContinues(throughFrame: index, source: source)
            }
            try encoded?.flush(source: source, events: &events)
            if onProgress != nil, processed % 8 == 0, clock.now - lastProgress > .milliseconds(250) {
                lastProgress = clock.now
                onProgress?(ScanProgress(framesRead: source.position, decodeErrors: source.decodeErrors,
                                         totalFrames: source.totalFrames, elapsedSeconds: (clock.now - started).seconds))
            }
        }

        func scored(_ score: FrameScore, _ frame: ScoringPipeline.Waiting) throws {
            try observe(score, index: frame.index, milliseconds: frame.milliseconds)
            try maskVideo?.add(detector)
        }
        while source.position < startFrame, try next() {}
        // dvr-scan seeks by reading the frame before the start; no PTS-mode event starts before that frame's time.
        if startFrame > 0 { tracker.ptsStartMilliseconds = source.openCVMilliseconds }
        scanning: while true {
            if let endFrame, source.position >= endFrame { break }
            for _ in 1..<stride { guard try next() else { break scanning } }
            guard try next() else { break }
            sampling.rotation = source.rotation
            try scoring.add((source.position - 1, source.openCVMilliseconds),
                            convert: { try converter.convert(frame, sampling: sampling, into: $0) }, scored: scored)
        }
        try scoring.finish(scored: scored)
        if let event = tracker.finish(position: source.position) {
            try finishEvent(event, lastScored: source.position - 1)
        }
        try clips?.inputEnded(source, events: &events)
        try encoded?.inputEnded(source: source, events: &events)
        try maskVideo?.finish()
        if let inputError, inputError.code != .cancelled { throw ScanInterrupted(cause: inputError, partial: events) }
        onProgress?(ScanProgress(framesRead: source.position, decodeErrors: source.decodeErrors, totalFrames: source.totalFrames,
                                 elapsedSeconds: (clock.now - started).seconds))
        return ScanResult(
            inputs: inputs.map(\.redacted), width: source.width, height: source.height, framesPerSecond: fps,
            framesRead: source.position, framesProcessed: processed, decodeErrors: source.decodeErrors,
            kernelSize: detector.kernelSize, events: events, warnings: source.warnings,
            elapsedSeconds: (clock.now - started).seconds)
    }
}

extension ScanSession {
    /// Whether the detector runs on its own thread, one batch behind a single-threaded decoder
    /// (``OverlappedDetector``), rather than in line with FFmpeg's frame threads. Files are scanned that way:
    /// measured on the 720p traffic video, 1.51 s wall and 2.55 CPU s at defaults instead of 1.69 and 2.70 in
    /// line (batches of 16), and at `-df 2` 1.49 CPU s instead of 1.65 (frame by frame). A camera (or a file paced
    /// in real time) is not limited by the CPU, so it detects in line: no thread and no second batch per camera.
    /// Thumbnails and encoded clips look at the scored frame's picture, and `-mo` reads each frame's mask, so
    /// those detect in line too.
    static func overlapsDetection(_ options: ScanOptions, live: Bool) -> Bool {
        !live && !options.realTime && !scoresFrameByFrame(options)
    }

    /// Whether each frame must be scored while its picture is the decoded one: thumbnails and encoded clips draw
    /// on the scored frame, and `-mo` writes each frame's mask.
    static func scoresFrameByFrame(_ options: ScanOptions) -> Bool {
        options.thumbnails || options.maskOutput != nil || (options.clips != nil && options.clipEncoding != nil)
    }

    /// Frames a camera scores together. MOG2 fetches its model from memory once per batch instead of once per
    /// frame: one 720p25 camera at `-df 2` (`run`, `perf stat` over 20 s) took 1.75–2.32 CPU s frame by frame,
    /// 1.60–1.71 in batches of 2, 1.49–1.61 of 4 and 1.34–1.45 of 8. Each frame more costs one gray frame of
    /// memory per camera (0.23 MB at 640x360), and 2 keeps a camera under the 30 MB of `make bench-multicam`'s
    /// target (6 measured 29.3 MiB, 30.7 MB); an event is announced one frame later at most.
    static let cameraBatch = 2

    /// Frames scored together: a file in batches as large as ``GrayBatch/framesPerBatch(pixelsPerFrame:budgetBytes:)``
    /// allows, a camera in batches of ``cameraBatch``.
    static func framesPerBatch(_ options: ScanOptions, camera: Bool, pixels: Int) -> Int {
        if scoresFrameByFrame(options) { return 1 }
        return camera ? cameraBatch : GrayBatch.framesPerBatch(pixelsPerFrame: pixels)
    }
}

/// Peak score, motion box and triggered regions of the event in progress.
private struct EventAccumulator {
    var peakScore: Double
    var peakFrame: Int
    /// First frame of the motion window that started the event (before pre-roll).
    var motionFrame: Int
    var box: MotionBox?
    var regions = Set<Int>()

    mutating func add(_ score: FrameScore, frame: Int) {
        if score.score > peakScore {
            peakScore = score.score
            peakFrame = frame
        }
        guard score.above else { return }
        if let b = score.boundingBox { box = box.map { $0.union(b) } ?? b }
        regions.formUnion(score.triggeredRegions)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
