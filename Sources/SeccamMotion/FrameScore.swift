/// A rectangle in full-frame pixels.
public struct MotionBox: Sendable, Hashable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// Creates a box.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// The detector's verdict on one frame (DVR-SCAN.md §3.3–§3.4).
public struct FrameScore: Sendable, Equatable {
    /// Mean of the filtered mask over the ROI, in [0, 255], before any rejection rule.
    public var rawScore: Double
    /// `rawScore` after max-threshold and max-area/width/height; what dvr-scan's event logic sees.
    public var score: Double
    /// Whether the frame counts as motion: `score >= threshold`, or, when some region has its own
    /// threshold, whether any region reached its threshold.
    public var above: Bool
    /// Bounding box of the filtered mask (whole crop, polygons ignored) in full-frame pixels; `nil` if empty.
    public var boundingBox: MotionBox?
    /// Per region, the same mean restricted to that polygon (before rejection rules).
    public var regionScores: [Double]
    /// Indices of the regions whose (rejection-adjusted) score reached their threshold.
    public var triggeredRegions: [Int]

    /// Creates a score.
    public init(rawScore: Double, score: Double, above: Bool, boundingBox: MotionBox?,
                regionScores: [Double] = [], triggeredRegions: [Int] = []) {
        self.rawScore = rawScore
        self.score = score
        self.above = above
        self.boundingBox = boundingBox
        self.regionScores = regionScores
        self.triggeredRegions = triggeredRegions
    }
}
