/// Presentation times of a video's frames by frame number, recorded as the frames are read: exact for the frames
/// it keeps, extrapolated at the frame rate before and after them. Several inputs played back to back continue
/// one time axis (each input's first frame follows the previous input's last by one frame period).
///
/// A source that never ends (a live camera) gives a `window`: only the latest `window` frames are kept, trimmed a
/// quarter window at a time, so memory stays bounded (16 bytes a frame otherwise: 34 MB a day at 25 fps).
public struct FrameTimeline: Sendable {
    public let framesPerSecond: Double
    /// Frames kept at least (and at most 1.25 times that); nil keeps every frame.
    public let window: Int?
    /// Frames recorded so far.
    public private(set) var count = 0
    /// Seconds of the kept frames on the common axis: `seconds[0]` is frame `forgotten`.
    private var seconds: [Double] = []
    private var forgotten = 0
    /// Raw timestamps of the current input's kept frames, in its time base: `ticks[0]` is frame `ticksStart`.
    private var ticks: [Int64?] = []
    private var ticksStart = 0
    private var inputFirstPTS: Double?
    private var inputOffset = 0.0

    /// - Parameters:
    ///   - framesPerSecond: the rate used to extrapolate (the first input's average frame rate).
    ///   - window: frames to keep for a source that never ends; nil keeps all.
    public init(framesPerSecond: Double, window: Int? = nil) {
        precondition(framesPerSecond > 0, "FrameTimeline: frame rate must be positive")
        precondition((window ?? 1) > 0, "FrameTimeline: window must be positive")
        self.framesPerSecond = framesPerSecond
        self.window = window
    }

    /// Frames whose times are held (for tests and memory checks).
    public var keptFrames: Int { seconds.count }

    /// Records the next frame: its presentation time in seconds and its raw timestamp, nil when it has none
    /// (it then follows the previous frame by one frame period).
    public mutating func append(seconds pts: Double?, ticks timestamp: Int64?) {
        if let pts {
            if inputFirstPTS == nil { inputFirstPTS = pts }
            seconds.append(inputOffset + pts - inputFirstPTS!)
        } else {
            seconds.append((seconds.last ?? -1 / framesPerSecond) + 1 / framesPerSecond)
        }
        ticks.append(timestamp)
        count += 1
        if let window, seconds.count > window + window / 4 {
            let drop = seconds.count - window
            seconds.removeFirst(drop)
            forgotten += drop
            let ticksDrop = min(ticks.count, max(0, forgotten - ticksStart))
            ticks.removeFirst(ticksDrop)
            ticksStart += ticksDrop
        }
    }

    /// The next frames come from another input: times continue one frame period after the last frame, and raw
    /// timestamps (in the new input's time base) start afresh.
    public mutating func startNextInput() {
        inputOffset = (seconds.last ?? -1 / framesPerSecond) + 1 / framesPerSecond
        inputFirstPTS = nil
        ticks.removeAll()
        ticksStart = count
    }

    /// Seconds of frame `index` on the common axis (recorded, or extrapolated when not kept or not read yet).
    public func seconds(ofFrame index: Int) -> Double {
        let local = index - forgotten
        if local >= 0, local < seconds.count { return seconds[local] }
        guard let first = seconds.first, let last = seconds.last else { return Double(index) / framesPerSecond }
        if local < 0 { return first + Double(local) / framesPerSecond }
        return last + Double(local - seconds.count + 1) / framesPerSecond
    }

    /// Frame `index`'s raw timestamp, when it belongs to the current input, is kept, and had one.
    public func ticks(ofFrame index: Int) -> Int64? {
        let local = index - ticksStart
        guard local >= 0, local < ticks.count else { return nil }
        return ticks[local]
    }
}
