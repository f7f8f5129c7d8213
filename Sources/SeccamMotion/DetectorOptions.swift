/// Every dvr-scan detection option, with dvr-scan's defaults (DVR-SCAN.md §2–§3, §5.5).
public struct DetectorOptions: Sendable {
    /// `-b`: the background subtractor.
    public var subtractor: SubtractorKind = .mog2
    /// `-t`: the score an event needs (inclusive).
    public var threshold: Double = 0.15
    /// `-k`: -1 auto, 0 off, or an odd size >= 3 (scaled by the downscale factor, §3.1).
    public var kernelSize: Int = -1
    /// `-df`: subsampling step; 0 and 1 mean none.
    public var downscaleFactor: Int = 0
    /// `max-threshold`: scores at or above this become 0.
    public var maxThreshold: Double = 255
    /// `max-area`: frames whose motion bounding box covers more than this fraction of the frame score 0.
    public var maxArea: Double = 1
    /// `max-width`: the same for the box width fraction.
    public var maxWidth: Double = 1
    /// `max-height`: the same for the box height fraction.
    public var maxHeight: Double = 1
    /// `variance-threshold` (MOG2 only); values <= 0 mean 16.
    public var varianceThreshold: Double = 16
    /// `learning-rate`: -1 for auto (1/(2n) up to 1/500).
    public var learningRate: Double = -1
    /// `-a` polygons; empty means the whole frame.
    public var regions: [Region] = []

    /// The defaults.
    public init() {}

    /// Checks every value the way dvr-scan's CLI and config parser do.
    ///
    /// - Throws: `MotionOptionError` naming the first bad option.
    public func validate() throws(MotionOptionError) {
        guard threshold >= 0 else {
            throw MotionOptionError(option: "threshold", message: "must be >= 0, got \(threshold)")
        }
        guard kernelSize == -1 || kernelSize == 0 || (kernelSize >= 3 && kernelSize % 2 == 1) else {
            throw MotionOptionError(option: "kernel-size",
                                    message: "must be -1 (auto), 0 (off) or an odd number >= 3, got \(kernelSize)")
        }
        guard downscaleFactor >= 0 else {
            throw MotionOptionError(option: "downscale-factor", message: "must be >= 0, got \(downscaleFactor)")
        }
        for (name, value) in [("max-threshold", maxThreshold), ("max-area", maxArea), ("max-width", maxWidth),
                              ("max-height", maxHeight), ("variance-threshold", varianceThreshold),
                              ("learning-rate", learningRate)] where !value.isFinite {
            throw MotionOptionError(option: name, message: "must be a finite number, got \(value)")
        }
        guard learningRate == -1 || learningRate >= 0 else {
            throw MotionOptionError(option: "learning-rate", message: "must be -1 (auto) or >= 0, got \(learningRate)")
        }
        for (index, region) in regions.enumerated() {
            let label = region.name.map { "\"\($0)\"" } ?? "#\(index + 1)"
            guard region.points.count >= 3 else {
                throw MotionOptionError(option: "add-region",
                                        message: "region \(label) needs at least 3 points, got \(region.points.count)")
            }
            guard region.points.allSatisfy({ $0.x >= 0 && $0.y >= 0 }) else {
                throw MotionOptionError(option: "add-region",
                                        message: "region \(label) has a negative coordinate")
            }
            if let own = region.threshold, !(own >= 0) {
                throw MotionOptionError(option: "add-region",
                                        message: "region \(label) threshold must be >= 0, got \(own)")
            }
        }
    }
}
