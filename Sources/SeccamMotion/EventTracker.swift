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

/// dvr-scan's event state machine in its default (non-PTS) mode, fence-post quirks included
/// (DVR-SCAN.md §4.2–§4.4).
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

    /// Creates a tracker; every length is in frames of the video.
    ///
    /// - Parameters:
    ///   - minEventLength: `-l` in frames.
    ///   - timeBeforeEvent: `-tb` in frames.
    ///   - timePostEvent: `-tp` in frames.
    ///   - frameSkip: `-fs`; only every (frameSkip+1)th frame is observed.
    ///   - startFrame: the `-st` seek target, or 0 without one.
    public init(threshold: Double, minEventLength: Int, timeBeforeEvent: Int, timePostEvent: Int,
                frameSkip: Int, startFrame: Int) {
        let stride = frameSkip + 1
        self.threshold = threshold
        self.timePostEvent = timePostEvent
        self.frameSkip = frameSkip
        postFrames = timePostEvent / stride
        minimumFrames = max(minEventLength / stride, 1)
        shiftMax = timeBeforeEvent + minimumFrames * stride
        self.startFrame = startFrame > 0 ? startFrame : 1
        previousEnd = self.startFrame
    }

    /// Whether an event is in progress.
    public var inEvent: Bool { eventStart != nil }

    /// Feeds one processed frame.
    ///
    /// - Parameters:
    ///   - frame: the frame's 0-based index in the video.
    ///   - score: its adjusted score (`FrameScore.score`).
    ///   - above: whether it counts as motion; `nil` means `score >= threshold`, dvr-scan's rule.
    /// - Returns: the event boundary this frame produced, if any.
    public mutating func observe(frame: Int, score: Double, above: Bool? = nil) -> EventUpdate? {
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
                return nil
            }
            postCount += 1
            guard postCount >= postFrames else { return nil }
            eventStart = nil
            let end = 1 + lastAbove + timePostEvent + frameSkip
            previousEnd = end
            return .ended(MotionEvent(start: start, end: end))
        }
        guard aboveRun >= minimumFrames else { return nil }
        aboveRun = 0
        postCount = 0
        lastAbove = frame
        let start = max(startFrame, frame + 1 - min(frame - previousEnd, shiftMax))
        eventStart = start
        return .started(start: start)
    }

    /// Ends the input: closes an open event at `position` (frames consumed, without post time; §4.4).
    public mutating func finish(position: Int) -> MotionEvent? {
        guard let start = eventStart else { return nil }
        eventStart = nil
        previousEnd = position
        return MotionEvent(start: start, end: position)
    }
}
