/// One motion event found by a scan, in dvr-scan's frame/time terms and in real presentation time.
public struct ScannedEvent: Sendable, Codable, Equatable {
    /// 1-based event number, as dvr-scan prints it.
    public var index: Int
    /// First frame and exclusive end frame (dvr-scan's rule, pre/post time included).
    public var startFrame: Int
    public var endFrame: Int
    /// dvr-scan's times: frame index / fps.
    public var startSeconds: Double
    public var endSeconds: Double
    public var durationSeconds: Double
    /// The same boundaries from the frames' real timestamps (differs from dvr-scan's on VFR video),
    /// relative to the first frame of the scan.
    public var startPTSSeconds: Double
    public var endPTSSeconds: Double
    /// Highest adjusted score during the event, and the frame it came from.
    public var peakScore: Double
    public var peakFrame: Int
    /// Union of the motion bounding boxes of the event's above-threshold frames, in video pixels.
    public var boundingBox: MotionBox?
    /// Names (or 1-based numbers) of the regions that triggered during the event.
    public var triggeredRegions: [String]
    /// The clip and its JSON sidecar, when clips were written.
    public var clipPath: String?
    public var sidecarPath: String?
    /// The `--thumbnails highscore` JPEG, when one was written.
    public var thumbnailPath: String?
}

/// What a scan found and how it went.
public struct ScanResult: Sendable, Codable {
    /// Inputs, credentials redacted.
    public var inputs: [String]
    public var width: Int
    public var height: Int
    /// The rate dvr-scan times events with (average frame rate of the first input).
    public var framesPerSecond: Double
    /// Frames consumed from the inputs (dvr-scan's "position"), and frames run through the detector.
    public var framesRead: Int
    public var framesProcessed: Int
    public var decodeErrors: Int
    /// Effective kernel size (0 = no filtering).
    public var kernelSize: Int
    public var events: [ScannedEvent]
    /// Problems that did not stop the scan (a truncated input), one sentence each.
    public var warnings: [String]
    public var elapsedSeconds: Double
}

extension MotionBox: Codable {
    enum CodingKeys: String, CodingKey { case x, y, width, height }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(x: try c.decode(Int.self, forKey: .x), y: try c.decode(Int.self, forKey: .y),
                  width: try c.decode(Int.self, forKey: .width), height: try c.decode(Int.self, forKey: .height))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(x, forKey: .x)
        try c.encode(y, forKey: .y)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
    }

    /// The smallest box containing both.
    func union(_ other: MotionBox) -> MotionBox {
        let x0 = min(x, other.x), y0 = min(y, other.y)
        let x1 = max(x + width, other.x + other.width), y1 = max(y + height, other.y + other.height)
        return MotionBox(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
