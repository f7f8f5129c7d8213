internal import CSeccamMOG2

/// The code paths of the mask operations (morphology, counts, bounding box). All give identical results (byte
/// min/max and counts); the vector ones are tested against `.scalar`, and `.scalar` against OpenCV's output.
public enum MaskKernel: Int32, Sendable, CaseIterable {
    /// Plain C loops.
    case scalar = 0
    /// AVX2, 32 bytes per step.
    case avx2 = 1
    /// AVX-512BW, 64 bytes per step.
    case avx512 = 2

    /// The fastest kernel this CPU supports (runtime detection), used by default.
    public static let best: MaskKernel = MaskKernel(rawValue: cseccam_mask_best_kernel()) ?? .scalar

    /// The kernels this CPU can run.
    public static var available: [MaskKernel] { allCases.filter { $0.rawValue <= best.rawValue } }
}

/// `cv2.morphologyEx(mask, MORPH_OPEN, ones(k, k))`: erosion then dilation with a k x k all-ones kernel
/// (DVR-SCAN.md §3.2). Pixels outside the image are ignored (the window is clipped), as with OpenCV's
/// default border. Each step (min, then max, over the clipped window) is one C pass (`cseccam_mask_window`:
/// column pass then row pass per row) split into row bands across cores.
public final class Morphology {
    /// Image width.
    public let width: Int
    /// Image height.
    public let height: Int
    /// Kernel side; values <= 1 leave masks unchanged.
    public let kernelSize: Int
    /// The code path.
    public let kernel: MaskKernel
    private let scratch: UnsafeMutablePointer<UInt8>
    /// The pass in progress, for the band workers.
    private var pass = Pass(input: nil, output: nil, minimum: true)

    private struct Pass {
        var input: UnsafePointer<UInt8>?
        var output: UnsafeMutablePointer<UInt8>?
        var minimum: Bool
    }

    /// Creates a filter with its scratch buffer.
    /// - Parameter kernel: force a code path (tests); one the CPU lacks falls back to the best it has.
    public init(width: Int, height: Int, kernelSize: Int, kernel: MaskKernel = .best) {
        self.width = width
        self.height = height
        self.kernelSize = kernelSize
        self.kernel = kernel.rawValue <= MaskKernel.best.rawValue ? kernel : .best
        scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, width * height))
        scratch.initialize(repeating: 0, count: max(1, width * height))
    }

    deinit {
        scratch.deallocate()
    }

    /// Opens `mask` (`width * height` bytes) in place.
    public func open(_ mask: UnsafeMutableBufferPointer<UInt8>) {
        precondition(mask.count == width * height, "Morphology: mask size mismatch")
        guard kernelSize > 1, let image = mask.baseAddress, width > 0, height > 0 else { return }
        // Erode the mask into the scratch buffer, then dilate it back.
        pass = Pass(input: UnsafePointer(image), output: scratch, minimum: true)
        ParallelBands.run(count: height, minimumBand: 64, self)
        pass = Pass(input: UnsafePointer(scratch), output: image, minimum: false)
        ParallelBands.run(count: height, minimumBand: 64, self)
        pass = Pass(input: nil, output: nil, minimum: true)
    }

    /// Opens a mask image in place.
    public func open(_ mask: inout GrayImage) {
        mask.pixels.withUnsafeMutableBufferPointer { open($0) }
    }
}

extension Morphology: BandWork {
    /// Runs the current pass over a band of rows.
    func work(_ band: Range<Int>) {
        guard let input = pass.input, let output = pass.output else { return }
        cseccam_mask_window(kernel.rawValue, input, output, Int32(width), Int32(height), Int32(band.lowerBound),
                            Int32(band.upperBound), Int32(kernelSize / 2), pass.minimum ? 1 : 0)
    }
}
