import Foundation
import Logging

/// One setting of a tuning run and what it found.
public struct TuningOutcome: Sendable {
    /// Position of the setting in the grid (0-based).
    public var index: Int
    public var setting: TuningSetting
    /// The full options of the setting (base options with the setting applied): `ScanSession` with these
    /// options finds exactly ``events``.
    public var options: ScanOptions
    /// The events, as `ScanSession` reports them, except that ``ScannedEvent/boundingBox`` is nil and
    /// ``ScannedEvent/triggeredRegions`` is empty (tuning keeps only scores, not masks).
    public var events: [ScannedEvent]
    public var metrics: TuningMetrics
    /// Which of ``TuneResult/tracks`` holds this setting's per-frame scores.
    public var track: Int
}

/// The per-frame adjusted scores of one detector configuration (one detector run).
public struct ScoreTrack: Sendable {
    /// Frame index of score 0; score k belongs to frame `firstFrame + k * stride`.
    public var firstFrame: Int
    /// Frame skip + 1.
    public var stride: Int
    /// Adjusted scores (`FrameScore.score`), what the event logic sees.
    public var scores: [Double]

    /// (frame, score) pairs, for ``ScorePlot``.
    public var points: [(frame: Int, score: Double)] {
        scores.enumerated().map { (firstFrame + $0.offset * stride, $0.element) }
    }
}

/// Everything a tuning run found.
public struct TuneResult: Sendable {
    public var inputs: [String]
    public var width: Int
    public var height: Int
    public var framesPerSecond: Double
    /// Frames decoded (once, for every setting).
    public var framesRead: Int
    public var decodeErrors: Int
    public var warnings: [String]
    public var elapsedSeconds: Double
    /// One per setting, in grid order.
    public var outcomes: [TuningOutcome]
    /// One per distinct detector configuration: the number of detector runs the grid needed.
    public var tracks: [ScoreTrack]

    /// Outcomes best first (``TuningMetrics/isBetter(_:than:)``, ties in grid order).
    public var ranked: [TuningOutcome] {
        outcomes.enumerated().sorted { a, b in
            if TuningMetrics.isBetter(a.element.metrics, than: b.element.metrics) { return true }
            if TuningMetrics.isBetter(b.element.metrics, than: a.element.metrics) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Evaluates every setting of a tuning grid while decoding the video once.
///
/// Per-frame scores depend only on the detector keys (subtractor, kernel size, downscale factor, variance
/// threshold, learning rate, max-threshold/area, regions, and frame skip, which picks the frames), so the
/// settings are grouped by those: each group runs one `MotionDetector`, fed from the same decoded frame
/// (gray computed once per distinct sampling plan), and records its adjusted scores. Threshold,
/// min-event-length and time-before/post-event only change the event state machine, so afterwards one
/// `EventTracker` per setting replays its group's scores. Frame skip, `-st`, `-et` and `-dt` follow
/// `ScanSession` exactly, so every setting gets the events a separate scan with its options would give.
public final class TuneSession {
    public let inputs: [SourceURL]
    public let base: ScanOptions
    public let settings: [TuningSetting]
    public let labels: [LabelledInterval]?
    private let logger: Logger

    /// - Parameters:
    ///   - base: options shared by every setting (inputs, `-st/-et/-dt`, regions, and the values of keys the
    ///     grid does not vary).
    ///   - labels: ground truth for ``TuningMetrics``; nil gives event counts only.
    public init(inputs: [SourceURL], base: ScanOptions, settings: [TuningSetting], labels: [LabelledInterval]? = nil,
                logger: Logger? = nil) {
        self.inputs = inputs
        self.base = base
        self.settings = settings
        self.labels = labels
        self.logger = logger ?? Logger(label: "seccam.tune", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Decodes the inputs once and evaluates every setting.
    /// - Throws: ``MediaError``, ``MotionOptionError`` (naming the setting's bad option), ``ScanInputError``.
    @available(*, noasync, message: "blocks; run on a thread of its own")
    public func run(onProgress: ((ScanProgress) -> Void)? = nil) throws -> TuneResult {
        precondition(!inputs.isEmpty, "tuning needs at least one input")
        precondition(!settings.isEmpty, "tuning needs at least one setting")
        let clock = ContinuousClock()
        let started = clock.now
        if base.usePresentationTimes {
            throw MotionOptionError(option: "use-pts", message: "tune times events in dvr-scan's default mode only")
        }
        let allOptions = settings.map { $0.applied(to: base) }
        for (setting, options) in zip(settings, allOptions) {
            do { try options.validate() } catch {
                throw MotionOptionError(option: error.option, message: "\(error.message) (setting \(setting))")
            }
        }
        var source = try ConcatenatedFrames(inputs: inputs, options: base.demuxer, threads: base.decoderThreads)
        let fps = source.framesPerSecond
        let startFrame = base.startTime?.frames(fps: fps) ?? 0
        let endFrame: Int? = base.duration.map { $0.frames(fps: fps) + startFrame } ?? base.endTime?.frames(fps: fps)
        let regionRule = base.detector.regions.contains { $0.threshold != nil }

        // One group per distinct detector configuration.
        var groups: [DetectorGroup] = []
        var groupIndex: [GroupKey: Int] = [:]
        var planBuffers: [(plan: SamplingPlan, gray: [UInt8])] = []
        var settingGroup: [Int] = []
        // Each group scores its frames in batches (faster MOG2, as in a scan); the groups share one memory budget.
        let groupCount = Set(allOptions.map { GroupKey($0, thresholdMatters: regionRule) }).count
        for options in allOptions {
            let key = GroupKey(options, thresholdMatters: regionRule)
            if let g = groupIndex[key] {
                settingGroup.append(g)
                continue
            }
            let detector = try MotionDetector(options: options.detector, videoWidth: source.width, videoHeight: source.height)
            let stride = options.frameSkip + 1
            var stop = Int.max
            if let endFrame { stop = startFrame + (endFrame > startFrame ? (endFrame - startFrame + stride - 1) / stride * stride : 0) }
            let plan = detector.plan
            let buffer = planBuffers.firstIndex { $0.plan == plan } ?? {
                planBuffers.append((plan, [UInt8](repeating: 0, count: plan.width * plan.height)))
                return planBuffers.count - 1
            }()
            groupIndex[key] = groups.count
            settingGroup.append(groups.count)
            let frames = GrayBatch.framesPerBatch(pixelsPerFrame: plan.width * plan.height, budgetBytes: (24 << 20) / groupCount)
            groups.append(DetectorGroup(detector: detector, stride: stride, stop: stop, buffer: buffer, regionRule: regionRule,
                                        framesPerBatch: frames))
        }
        logger.info("tuning", metadata: ["settings": "\(settings.count)", "detector.runs": "\(groups.count)"])

        var frame = try Frame()
        let converter = GrayConverter()
        var converted = [Bool](repeating: false, count: planBuffers.count)
        let lastStop = groups.map(\.stop).max()!
        var lastProgress = clock.now
        while source.position < startFrame, try source.next(into: &frame) {}
        while source.position < lastStop, try source.next(into: &frame) {
            let index = source.position - 1
            let offset = index - startFrame + 1
            for b in converted.indices { converted[b] = false }
            for g in groups.indices where offset % groups[g].stride == 0 && index < groups[g].stop {
                let b = groups[g].buffer
                if !converted[b] {
                    let p = planBuffers[b].plan
                    try converter.convert(frame, sampling: GraySampling(cropX: p.cropX, cropY: p.cropY, step: p.step, width: p.width, height: p.height,
                                                                                rotation: source.rotation),
                                          into: &planBuffers[b].gray)
                    converted[b] = true
                }
                groups[g].add(planBuffers[b].gray)
            }
            if onProgress != nil, index % 8 == 0, clock.now - lastProgress > .milliseconds(250) {
                lastProgress = clock.now
                onProgress?(ScanProgress(framesRead: source.position, totalFrames: source.totalFrames, elapsedSeconds: (clock.now - started).seconds))
            }
        }
        for g in groups.indices { groups[g].flush() }
        let positionAtEnd = source.position
        onProgress?(ScanProgress(framesRead: positionAtEnd, totalFrames: source.totalFrames, elapsedSeconds: (clock.now - started).seconds))

        var outcomes: [TuningOutcome] = []
        for (i, options) in allOptions.enumerated() {
            let group = groups[settingGroup[i]]
            let events = replay(group, options: options, fps: fps, startFrame: startFrame,
                                finalPosition: min(group.stop, positionAtEnd), source: source)
            let metrics = TuningMetrics(events: events.map { ($0.startSeconds, $0.endSeconds) }, labels: labels)
            outcomes.append(TuningOutcome(index: i, setting: settings[i], options: options, events: events, metrics: metrics,
                                          track: settingGroup[i]))
        }
        let tracks = groups.map { ScoreTrack(firstFrame: startFrame + $0.stride - 1, stride: $0.stride, scores: $0.scores) }
        return TuneResult(
            inputs: inputs.map(\.redacted), width: source.width, height: source.height, framesPerSecond: fps,
            framesRead: positionAtEnd, decodeErrors: source.decodeErrors, warnings: source.warnings,
            elapsedSeconds: (clock.now - started).seconds, outcomes: outcomes, tracks: tracks)
    }

    /// Runs one setting's event state machine over its group's recorded scores, as `ScanSession` does live.
    private func replay(_ group: DetectorGroup, options: ScanOptions, fps: Double, startFrame: Int, finalPosition: Int,
                        source: ConcatenatedFrames) -> [ScannedEvent] {
        var tracker = EventTracker(
            threshold: options.detector.threshold, minEventLength: options.minEventLength.frames(fps: fps),
            timeBeforeEvent: options.timeBeforeEvent.frames(fps: fps), timePostEvent: options.timePostEvent.frames(fps: fps),
            frameSkip: options.frameSkip, startFrame: startFrame)
        var events: [ScannedEvent] = []
        var peak: (score: Double, frame: Int)?
        // ScanSession times an event's boundaries from the frames up to the one that ended it (`lastScored`); a
        // boundary after it gets that frame's time plus whole frame durations. Reproduce that exactly.
        func record(_ event: MotionEvent, lastScored: Int) {
            let p = peak ?? (0, event.start)
            peak = nil
            events.append(ScannedEvent(
                index: events.count + 1, startFrame: event.start, endFrame: event.end,
                startSeconds: Double(event.start) / fps, endSeconds: Double(event.end) / fps,
                durationSeconds: Double(max(0, event.end - event.start)) / fps,
                startPTSSeconds: source.ptsSeconds(ofFrame: event.start, knownThrough: lastScored),
                endPTSSeconds: source.ptsSeconds(ofFrame: event.end, knownThrough: lastScored),
                peakScore: p.score, peakFrame: p.frame, boundingBox: nil, triggeredRegions: []))
        }
        for (k, score) in group.scores.enumerated() {
            let frame = startFrame + (k + 1) * group.stride - 1
            switch tracker.observe(frame: frame, score: score, above: group.regionRule ? group.above[k] : nil) {
            case .started: peak = (score, frame)
            case .ended(let event): record(event, lastScored: frame)
            case nil: break
            }
            if tracker.inEvent, let p = peak, score > p.score { peak = (score, frame) }
        }
        if let event = tracker.finish(position: finalPosition) { record(event, lastScored: finalPosition - 1) }
        return events
    }
}

/// A detector shared by the settings with the same detector keys, and the scores it produced.
private struct DetectorGroup {
    let detector: MotionDetector
    /// Frame skip + 1.
    let stride: Int
    /// Frames at or after this index are not processed (`-et`/`-dt`); Int.max without an end.
    let stop: Int
    /// Index of the gray buffer of this detector's sampling plan.
    let buffer: Int
    let regionRule: Bool
    var scores: [Double] = []
    var above: [Bool] = []
    /// Frames added and not scored yet.
    private let batch: GrayBatch
    private var scored: [FrameScore] = []

    init(detector: MotionDetector, stride: Int, stop: Int, buffer: Int, regionRule: Bool, framesPerBatch: Int) {
        self.detector = detector
        self.stride = stride
        self.stop = stop
        self.buffer = buffer
        self.regionRule = regionRule
        batch = GrayBatch(capacity: framesPerBatch, pixelsPerFrame: detector.plan.width * detector.plan.height)
    }

    /// Adds this detector's next gray frame; the batch is scored when it is full.
    mutating func add(_ gray: [UInt8]) {
        _ = gray.withUnsafeBufferPointer { batch.appendFrame().update(fromContentsOf: $0) }
        if batch.isFull { flush() }
    }

    /// Scores the frames added so far.
    mutating func flush() {
        guard batch.count > 0 else { return }
        scored.removeAll(keepingCapacity: true)
        detector.process(frames: batch.frames, count: batch.count, into: &scored)
        batch.removeAll()
        scores.append(contentsOf: scored.map(\.score))
        if regionRule { above.append(contentsOf: scored.map(\.above)) }
    }
}

/// The options that change per-frame scores. The threshold joins them only when some region has its own
/// threshold, since then the detector decides which frames are above.
private struct GroupKey: Hashable {
    var subtractor: SubtractorKind
    var kernelSize: Int
    var downscaleFactor: Int
    var varianceThreshold: Double
    var learningRate: Double
    var maxThreshold: Double
    var maxArea: Double
    var maxWidth: Double
    var maxHeight: Double
    var frameSkip: Int
    var threshold: Double?

    init(_ o: ScanOptions, thresholdMatters: Bool) {
        let d = o.detector
        subtractor = d.subtractor
        kernelSize = d.kernelSize
        downscaleFactor = d.downscaleFactor
        varianceThreshold = d.varianceThreshold
        learningRate = d.learningRate
        maxThreshold = d.maxThreshold
        maxArea = d.maxArea
        maxWidth = d.maxWidth
        maxHeight = d.maxHeight
        frameSkip = o.frameSkip
        threshold = thresholdMatters ? d.threshold : nil
    }
}
