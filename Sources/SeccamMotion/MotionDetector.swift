/// dvr-scan's per-frame detector: background subtraction, morphological opening, ROI score and
/// rejection rules (DVR-SCAN.md §1.3–§3.4).
///
/// Feed it gray frames already cropped and subsampled per `plan`. All buffers are allocated in `init`;
/// `process` does not allocate as long as the caller does not keep the previous `FrameScore`'s arrays.
/// Not thread-safe: use one detector per stream.
public final class MotionDetector {
    /// The options the detector was built with.
    public let options: DetectorOptions
    /// Which frame pixels `process` expects.
    public let plan: SamplingPlan
    /// Effective kernel size after the §3.1 rule (0 or 1 = no filtering).
    public let kernelSize: Int

    private let subtractor: any BackgroundSubtractor
    private let morphology: Morphology
    /// The latest frame's filtered mask.
    private let mask: UnsafeMutableBufferPointer<UInt8>
    /// Subsampled union of all polygons, or `nil` without regions.
    private let roi: [UInt8]?
    private let roiCount: Int
    /// Per region: subsampled polygon mask and its pixel count.
    private let regionMasks: [(pixels: [UInt8], count: Int)]
    private let regionThresholds: [Double]
    private let hasOwnThresholds: Bool
    private let testsBox: Bool
    private var regionScores: [Double]
    private var triggered: [Int]

    /// Builds a detector for a video size.
    ///
    /// - Throws: `MotionOptionError` if `options.validate()` fails.
    public init(options: DetectorOptions, videoWidth: Int, videoHeight: Int,
                implementation: SubtractorImplementation = .vectorized) throws(MotionOptionError) {
        try options.validate()
        guard videoWidth > 0 && videoHeight > 0 else {
            throw MotionOptionError(option: "input", message: "video size must be positive, got \(videoWidth)x\(videoHeight)")
        }
        self.options = options
        let polygons = options.regions.map { $0.clamped(width: videoWidth, height: videoHeight) }
        let plan = SamplingPlan(videoWidth: videoWidth, videoHeight: videoHeight,
                                downscaleFactor: options.downscaleFactor, polygons: polygons)
        self.plan = plan
        kernelSize = KernelSize.effective(requested: options.kernelSize, videoWidth: videoWidth,
                                          downscale: options.downscaleFactor)
        switch options.subtractor {
        case .mog2:
            subtractor = MOG2Subtractor(width: plan.width, height: plan.height,
                                        varianceThreshold: options.varianceThreshold,
                                        learningRate: options.learningRate, implementation: implementation)
        case .cnt:
            subtractor = CNTSubtractor(width: plan.width, height: plan.height, learningRate: options.learningRate)
        }
        morphology = Morphology(width: plan.width, height: plan.height, kernelSize: kernelSize)
        mask = .allocate(capacity: max(1, plan.width * plan.height))
        mask.initialize(repeating: 0)

        func sampledMask(_ polygon: [PolygonPoint]) -> [UInt8] {
            var full = [UInt8](repeating: 0, count: videoWidth * videoHeight)
            PolygonRasterizer.fill(polygon, into: &full, width: videoWidth, height: videoHeight)
            var sampled = GrayImage(width: plan.width, height: plan.height)
            plan.sample(full, into: &sampled)
            return sampled.pixels
        }
        let masks = polygons.map { sampledMask($0) }
        regionMasks = masks.map { ($0, $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }) }
        if masks.isEmpty {
            roi = nil
            roiCount = 0
        } else {
            let union = masks.dropFirst().reduce(masks[0]) { zip($0, $1).map { max($0, $1) } }
            roi = union
            roiCount = union.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
        regionThresholds = options.regions.map { $0.threshold ?? options.threshold }
        hasOwnThresholds = options.regions.contains { $0.threshold != nil }
        testsBox = options.maxArea < 1 || options.maxWidth < 1 || options.maxHeight < 1
        regionScores = [Double](repeating: 0, count: masks.count)
        triggered = []
        triggered.reserveCapacity(masks.count)
    }

    deinit {
        mask.deallocate()
    }

    /// Scores one frame of `plan.width` x `plan.height` pixels.
    public func process(_ gray: GrayImage) -> FrameScore {
        precondition(gray.width == plan.width && gray.height == plan.height,
                     "MotionDetector: got \(gray.width)x\(gray.height), plan is \(plan.width)x\(plan.height)")
        return gray.pixels.withUnsafeBufferPointer { process($0) }
    }

    /// Scores one frame given as `plan.width * plan.height` row-major pixels.
    public func process(_ gray: UnsafeBufferPointer<UInt8>) -> FrameScore {
        subtractor.apply(gray, mask: mask)
        return score(mask)
    }

    /// Scores `count` frames given back to back (`plan.width * plan.height` pixels each) and appends their
    /// scores to `scores`: the same scores as `count` calls of `process(_:)`, in less time (the background
    /// model takes the frames together). The frames are overwritten with their masks, so a batch needs no
    /// memory beside its own.
    public func process(frames: UnsafeMutableBufferPointer<UInt8>, count: Int, into scores: inout [FrameScore]) {
        let pixels = plan.width * plan.height
        precondition(count >= 0 && frames.count == pixels * count, "MotionDetector: batch size mismatch")
        guard count > 0 else { return }
        subtractor.apply(frames: UnsafeBufferPointer(frames), count: count, masks: frames)
        for frame in 0..<count {
            scores.append(score(frames.frame(frame, size: pixels)))
        }
        _ = mask.update(fromContentsOf: frames[((count - 1) * pixels)..<(count * pixels)])
    }

    /// Filters a fresh subtractor mask in place and scores it.
    private func score(_ mask: UnsafeMutableBufferPointer<UInt8>) -> FrameScore {
        morphology.open(mask)
        let width = plan.width
        let height = plan.height
        let pixels = UnsafePointer(mask.baseAddress!)
        // One pass: the foreground count, the count inside the regions and the bounding box.
        func measure(_ area: UnsafePointer<UInt8>?) -> (count: Int, inside: Int, rect: (x: Int, y: Int, width: Int, height: Int)?) {
            MaskStatistics.measure(pixels, area: area, width: width, height: height, box: true)
        }
        let (foreground, inside, rect) = roi.map { $0.withUnsafeBufferPointer { measure($0.baseAddress) } } ?? measure(nil)

        let rawScore: Double
        if roi != nil {
            rawScore = roiCount > 0 ? Double(255 * inside) / Double(roiCount) : 0
        } else {
            rawScore = width * height > 0 ? Double(255 * foreground) / Double(width * height) : 0
        }

        var rejected = false
        if testsBox {
            let widthFraction = Double((rect?.width ?? 0) * plan.step) / Double(plan.videoWidth)
            let heightFraction = Double((rect?.height ?? 0) * plan.step) / Double(plan.videoHeight)
            rejected = widthFraction * heightFraction > options.maxArea || widthFraction > options.maxWidth
                || heightFraction > options.maxHeight
        }
        func adjusted(_ value: Double) -> Double {
            value >= options.maxThreshold || rejected ? 0 : value
        }
        let score = adjusted(rawScore)

        triggered.removeAll(keepingCapacity: true)
        for index in regionMasks.indices {
            let region = regionMasks[index]
            let inside = Self.foregroundCount(pixels, within: region.pixels)
            regionScores[index] = region.count > 0 ? Double(255 * inside) / Double(region.count) : 0
            if adjusted(regionScores[index]) >= regionThresholds[index] {
                triggered.append(index)
            }
        }
        let above = hasOwnThresholds ? !triggered.isEmpty : score >= options.threshold
        let box = rect.map {
            MotionBox(x: plan.cropX + $0.x * plan.step, y: plan.cropY + $0.y * plan.step,
                      width: $0.width * plan.step, height: $0.height * plan.step)
        }
        return FrameScore(rawScore: rawScore, score: score, above: above, boundingBox: box,
                          regionScores: regionScores, triggeredRegions: triggered)
    }

    private static func foregroundCount(_ mask: UnsafePointer<UInt8>, within area: [UInt8]) -> Int {
        area.withUnsafeBufferPointer { area in
            guard let base = area.baseAddress else { return 0 }
            return MaskStatistics.nonZeroBoth(mask, base, count: area.count)
        }
    }

    /// Calls `body` with the last filtered mask (`plan.width * plan.height` bytes, 0 or 255).
    public func withMask<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(mask))
    }

    /// The last filtered mask as dvr-scan's `-mo` video shows it: 0 or 255 inside the regions and 63 outside them
    /// (the mask as is without regions), written into `picture` (`plan.width * plan.height` bytes).
    public func maskPicture(into picture: inout [UInt8]) {
        picture.removeAll(keepingCapacity: true)
        picture.append(contentsOf: mask)
        guard let roi else { return }
        for i in picture.indices where roi[i] == 0 { picture[i] = 63 }
    }
}
