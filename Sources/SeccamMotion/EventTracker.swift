/// A motion event in frames: `start` inclusive, `end` exclusive.
public struct MotionEvent: Sendable, Hashable {
    /// First frame of the event (pre-roll included).
    public var start: Int
    /// Frame after the last one (post-roll included).
    public var end: Int

    /// Creates an event.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// What `EventTracker.observe` reports.
public enum EventUpdate: Sendable, Equatable {
    /// An event started; its first frame is `start` (before the triggering frame).
    case started(start: Int)
    /// An event ended.
    case ended(MotionEvent)
}

/// dvr-scan's event state machine, fence-post quirks included (DVR-SCAN.md §4.2–§4.4), in its default mode
/// (times are frame counts) or its `--use-pts` mode (§4.6: times come from the frames' timestamps).
public struct EventTracker: Sendable {
    /// `-t`, used when `observe` is not told whether a frame is above.
    public let threshold: Double
    /// Processed frames in a row needed to start an event (M).
    public let minimumFrames: Int
    /// Processed frames below threshold that end an event (P).
    public let postFrames: Int
    private let timePostEvent: Int
    private let frameSkip: Int
    private let startFrame: Int
    private let shiftMax: Int

    private var previousEnd: Int
    private var aboveRun = 0
    private var first = true
    private var postCount = 0
    private var lastAbove = 0
    private var eventStart: Int?
    /// PTS mode: the frame rate, when on.
    private let ptsFramesPerSecond: Double?
    /// PTS mode: the most pre-roll, `(-tb + -l) / fps` in milliseconds (the unscaled `-l`).
    private let ptsShiftMilliseconds: Double
    /// PTS mode: `-tp` in seconds.
    private let ptsPostSeconds: Double
    /// PTS mode: the frame time of the last above-threshold frame of the event, and of the last frame seen.
    private var lastAboveMilliseconds = 0.0
    private var lastMilliseconds = 0.0
    /// PTS mode: the time (OpenCV's `CAP_PROP_POS_MSEC`) of the frame read while seeking to `-st`, or 0 without
    /// `-st`; no event starts before it. Set it once the seek is done, before the first ``observe``.
    public var ptsStartMilliseconds = 0.0

    /// Creates a tracker; every length is in frames of the video.
    ///
    /// - Parameters:
    ///   - minEventLength: `-l` in frames.
    ///   - timeBeforeEvent: `-tb` in frames.
    ///   - timePostEvent: `-tp` in frames.
    ///   - frameSkip: `-fs`; only every (frameSkip+1)th frame is observed.
    ///   - startFrame: the `-st` seek target, or 0 without one.
    ///   - ptsFramesPerSecond: the video's frame rate for dvr-scan's `--use-pts` mode; nil for the default mode.
    ///     In PTS mode every ``observe`` call must pass the frame's `milliseconds`.
    public init(threshold: Double, minEventLength: Int, timeBeforeEvent: Int, timePostEvent: Int,
                frameSkip: Int, startFrame: Int, ptsFramesPerSecond: Double? = nil) {
        let stride = frameSkip + 1
        self.threshold = threshold
        self.timePostEvent = timePostEvent
        self.frameSkip = frameSkip
        postFrames = timePostEvent / stride
        minimumFrames = max(minEventLength / stride, 1)
        shiftMax = timeBeforeEvent + minimumFrames * stride
        self.startFrame = startFrame > 0 ? startFrame : 1
        previousEnd = self.startFrame
        self.ptsFramesPerSecond = ptsFramesPerSecond
        let fps = ptsFramesPerSecond ?? 1
        ptsShiftMilliseconds = (Double(timeBeforeEvent) / fps + Double(minEventLength) / fps) * 1000
        ptsPostSeconds = Double(timePostEvent) / fps
    }

    /// Whether an event is in progress.
    public var inEvent: Bool { eventStart != nil }

    /// Feeds one processed frame.
    ///
    /// - Parameters:
    ///   - frame: the frame's 0-based index in the video.
    ///   - score: its adjusted score (`FrameScore.score`).
    ///   - above: whether it counts as motion; `nil` means `score >= threshold`, dvr-scan's rule.
    ///   - milliseconds: PTS mode only: the frame's time as OpenCV reports it (`CAP_PROP_POS_MSEC`).
    /// - Returns: the event boundary this frame produced, if any.
    public mutating func observe(frame: Int, score: Double, above: Bool? = nil, milliseconds: Double? = nil) -> EventUpdate? {
        if let fps = ptsFramesPerSecond {
            // dvr-scan snaps the time to the frame grid (FrameTimecode(ms / 1000, fps)) and works on the snapped time.
            lastMilliseconds = Double(Self.frames(seconds: (milliseconds ?? 0) / 1000, fps: fps)) / fps * 1000
        }
        var isAbove = above ?? (score >= threshold)
        aboveRun = isAbove ? aboveRun + 1 : 0
        if first {
            isAbove = false
            first = false
        }
        if let start = eventStart {
            if isAbove {
                postCount = 0
                lastAbove = frame
                lastAboveMilliseconds = lastMilliseconds
                return nil
            }
            postCount += 1
            guard postCount >= postFrames else { return nil }
            eventStart = nil
            let end = if let fps = ptsFramesPerSecond {
                Self.frames(seconds: lastAboveMilliseconds / 1000 + ptsPostSeconds, fps: fps)
            } else {
                1 + lastAbove + timePostEvent + frameSkip
            }
            previousEnd = end
            return .ended(MotionEvent(start: start, end: end))
        }
        guard aboveRun >= minimumFrames else { return nil }
        aboveRun = 0
        postCount = 0
        lastAbove = frame
        let start: Int
        if let fps = ptsFramesPerSecond {
            lastAboveMilliseconds = lastMilliseconds
            let sinceLastEvent = lastMilliseconds - Double(previousEnd) / fps * 1000
            let startMilliseconds = max(ptsStartMilliseconds, lastMilliseconds - min(sinceLastEvent, ptsShiftMilliseconds))
            start = Self.frames(seconds: startMilliseconds / 1000, fps: fps)
        } else {
            start = max(startFrame, frame + 1 - min(frame - previousEnd, shiftMax))
        }
        eventStart = start
        return .started(start: start)
    }

    /// Ends the input: closes an open event at `position` (frames consumed, without post time; §4.4). In PTS mode
    /// the event ends at the last observed frame's time instead.
    public mutating func finish(position: Int) -> MotionEvent? {
        guard let start = eventStart else { return nil }
        eventStart = nil
        let end = ptsFramesPerSecond.map { Self.frames(seconds: lastMilliseconds / 1000, fps: $0) } ?? position
        previousEnd = end
        return MotionEvent(start: start, end: end)
    }

    /// A time in seconds as a frame number the way dvr-scan's FrameTimecode does it: `round(seconds * fps)`, ties to
    /// even (Python's `round`). Absurd timestamps (not finite, or beyond ±10^15 frames) are clamped, not trapped on.
    static func frames(seconds: Double, fps: Double) -> Int {
        let value = (seconds * fps).rounded(.toNearestOrEven)
        return value.isFinite ? Int(max(-1e15, min(1e15, value))) : 0
    }
}
