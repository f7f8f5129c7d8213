/// Decoded video frames of several inputs played back to back, as dvr-scan concatenates `-i` files:
/// one frame counter (``position``, frames consumed), the first input's size and frame rate, and
/// presentation times that continue across inputs.
struct ConcatenatedFrames {
    private let inputs: [SourceURL]
    private let options: DemuxerOptions
    private let threads: Int
    private let interrupt: InterruptFlag
    private var reader: VideoFrameReader
    private var inputIndex = 0
    /// The first input's picture size as shown: turned by its display rotation, as OpenCV turns it.
    let width: Int
    let height: Int
    let framesPerSecond: Double
    /// Sum of the header frame counts, when every input has one.
    let totalFrames: Int?
    /// Frames consumed so far (dvr-scan's position).
    var position: Int { timeline.count }
    /// The last decoded frame's time in its input as dvr-scan's `--use-pts` mode reads it (OpenCV's
    /// `CAP_PROP_POS_MSEC`); 0 before the first frame.
    private(set) var openCVMilliseconds: Double = 0
    private(set) var warnings: [String] = []
    private var finishedDecodeErrors = 0
    /// Times of the consumed frames, relative to the first, and the current input's raw timestamps (for clip cuts).
    private var timeline: FrameTimeline
    /// Frames whose times a live source keeps (a live source never ends; files keep all): 15 minutes at 25 fps,
    /// far more than any pre-roll or clip cut needs; older frames' times are estimated from the frame rate.
    static let liveWindow = 22_500

    init(inputs: [SourceURL], options: DemuxerOptions, threads: Int, interrupt: InterruptFlag = InterruptFlag()) throws {
        self.inputs = inputs
        self.options = options
        self.threads = threads
        self.interrupt = interrupt
        reader = try VideoFrameReader(demuxer: try Demuxer(source: inputs[0], options: options, interrupt: interrupt), threads: threads)
        let video = reader.videoStream
        (width, height) = video.rotation.displaySize(width: video.width, height: video.height)
        framesPerSecond = video.framesPerSecond
        guard framesPerSecond > 0 else {
            throw ScanInputError(description: "\(inputs[0].redacted): the video stream declares no frame rate")
        }
        totalFrames = inputs.count == 1 ? video.frameCount : nil
        timeline = FrameTimeline(framesPerSecond: framesPerSecond, window: Self.isLive(inputs) ? Self.liveWindow : nil)
    }

    /// Whether `inputs` are a camera (a network stream or a capture device): it never ends, and only recent
    /// frames' times are kept.
    static func isLive(_ inputs: [SourceURL]) -> Bool {
        inputs.count == 1 && (inputs[0].isNetwork || inputs[0].isVideoDevice)
    }

    var decodeErrors: Int { finishedDecodeErrors + reader.decoder.decodeErrors }

    /// The current input's display rotation (gray sampling is in turned coordinates).
    var rotation: DisplayRotation { reader.videoStream.rotation }

    /// The input being read (clips are cut from a single input).
    var demuxer: Demuxer { reader.demuxer }

    /// Frame `index`'s own timestamp in the input's video time base, when that frame has been decoded.
    func timestamp(ofFrame index: Int) -> MediaTime? {
        timeline.ticks(ofFrame: index).map { MediaTime(ticks: $0, timeBase: reader.videoStream.timeBase) }
    }

    /// Decodes the next frame of the concatenation into `frame`; false after the last input ends.
    /// `onPacket` sees every packet read along the way.
    mutating func next(into frame: inout Frame, onPacket: ((borrowing Packet) throws -> Void)? = nil) throws -> Bool {
        while true {
            let decoded: Bool
            if let onPacket {
                do { decoded = try reader.nextFrame(into: &frame, onPacket: { (p: borrowing Packet) throws(any Error) in try onPacket(p) }) } catch {
                    switch error {
                    case .media(let m): throw m
                    case .consumer(let c): throw c
                    }
                }
            } else {
                decoded = try reader.nextFrame(into: &frame)
            }
            if decoded {
                let shown = rotation.displaySize(width: frame.width, height: frame.height)
                guard shown.width == width, shown.height == height else {
                    throw ScanInputError(description: "\(inputs[inputIndex].redacted): frame size changed to \(shown.width)x\(shown.height) (the scan started at \(width)x\(height))")
                }
                let pts = frame.pts(timeBase: reader.videoStream.timeBase)
                timeline.append(seconds: pts?.seconds, ticks: pts?.ticks)
                openCVMilliseconds = frame.openCVMilliseconds(in: reader.videoStream)
                return true
            }
            if let truncation = reader.demuxer.truncationDetail {
                warnings.append("\(inputs[inputIndex].redacted): \(truncation)")
            }
            guard inputIndex + 1 < inputs.count else { return false }
            finishedDecodeErrors += reader.decoder.decodeErrors
            inputIndex += 1
            timeline.startNextInput()
            reader = try VideoFrameReader(demuxer: try Demuxer(source: inputs[inputIndex], options: options, interrupt: interrupt),
                                          threads: threads)
        }
    }

    /// Presentation time of frame `index` (an event boundary may lie one past the last frame).
    func ptsSeconds(ofFrame index: Int) -> Double {
        timeline.seconds(ofFrame: index)
    }

    /// As ``ptsSeconds(ofFrame:)``, as if frames after `known` had not been read yet: their times are `known`'s
    /// plus whole frame durations.
    func ptsSeconds(ofFrame index: Int, knownThrough known: Int) -> Double {
        guard index > known, known >= 0 else { return timeline.seconds(ofFrame: index) }
        return timeline.seconds(ofFrame: known) + Double(index - known) / framesPerSecond
    }

    /// The frame shown at `seconds` (relative to the first frame, as ``ptsSeconds(ofFrame:)``): the first frame whose
    /// time is at least `seconds` minus half a frame, so a time on the frame grid maps to its own frame on a
    /// constant-rate video. Past the last frame consumed, the frames to come are counted at the frame rate.
    func frameIndex(atSeconds seconds: Double) -> Int {
        let target = seconds - 0.5 / framesPerSecond
        var low = 0, high = position
        while low < high {
            let middle = (low + high) / 2
            if timeline.seconds(ofFrame: middle) < target { low = middle + 1 } else { high = middle }
        }
        guard low == position, position > 0 else { return low }
        let ahead = (seconds - timeline.seconds(ofFrame: position - 1)) * framesPerSecond
        return position - 1 + max(1, Int(ahead.rounded()))
    }
}
