/// opencv_contrib's CNT as dvr-scan configures it (min stability 15, history on, max stability 900; DVR-SCAN.md §2.4).
///
/// Integer-only, so the result does not depend on the code path; rows are split across cores.
public final class CNTSubtractor: BackgroundSubtractor {
    public let width: Int
    public let height: Int

    private static let minimumStability: Int32 = 15
    private static let maximumStability = 900
    private static let frameThreshold: Int32 = 5
    private static let historyThreshold: Int32 = 30

    private let learningRate: Double
    private var initialized = false
    /// Per pixel: stability, history colour, history stability (the background value is never read).
    private let state: UnsafeMutablePointer<Int32>
    private let previous: UnsafeMutablePointer<UInt8>
    /// History mode's stability cap, `int(900 * rate)` for rates in (0, 1).
    private let maximum: Int32
    /// The frame and mask of the `apply` call in progress, for the band workers.
    private var frameSource: UnsafePointer<UInt8>?
    private var frameMask: UnsafeMutablePointer<UInt8>?

    /// Creates an empty model.
    ///
    /// - Parameter learningRate: `learning-rate`; 0 selects CNT's no-history mode, values in (0, 1)
    ///   scale the maximum stability, values >= 1 reset the model every frame.
    public init(width: Int, height: Int, learningRate: Double = -1) {
        self.width = width
        self.height = height
        self.learningRate = learningRate
        let scale = learningRate > 0 && learningRate < 1 ? learningRate : 1
        maximum = Int32(Double(Self.maximumStability) * scale)
        let count = max(1, width * height)
        state = UnsafeMutablePointer<Int32>.allocate(capacity: count * 3)
        state.initialize(repeating: 0, count: count * 3)
        previous = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        previous.initialize(repeating: 0, count: count)
    }

    deinit {
        state.deallocate()
        previous.deallocate()
    }

    public func apply(_ gray: UnsafeBufferPointer<UInt8>, mask: UnsafeMutableBufferPointer<UInt8>) {
        let count = width * height
        precondition(gray.count == count && mask.count == count, "CNTSubtractor: buffer size mismatch")
        guard count > 0, let source = gray.baseAddress, let target = mask.baseAddress else { return }
        if !initialized || learningRate >= 1 {
            state.update(repeating: 0, count: count * 3)
            for pixel in 0..<count {
                state[pixel * 3 + 1] = Int32(source[pixel])
            }
            previous.update(from: source, count: count)
            initialized = true
        }
        frameSource = source
        frameMask = target
        ParallelBands.run(count: count, minimumBand: 16384, self)
        frameSource = nil
        frameMask = nil
    }

    /// `BGSubtractPixelWithHistory`; returns the mask value.
    @inline(__always)
    private static func updateWithHistory(_ s: UnsafeMutablePointer<Int32>, current: Int32, previous: Int32,
                                          maximum: Int32) -> UInt8 {
        // s[0] stability, s[1] history colour, s[2] history stability
        if abs(current - s[1]) < historyThreshold {
            s[0] = 0
            if s[2] < maximum { s[2] += 1 }
            return s[2] <= minimumStability ? 255 : 0
        }
        if abs(current - previous) < frameThreshold {
            if s[0] < maximum { s[0] += 1 }
            guard s[0] > minimumStability else { return 255 }
            if s[0] >= s[2] {
                s[1] = current
                s[2] = s[0]
                return 0
            }
            if s[2] > 0 { s[2] -= 1 }
            return 255
        }
        s[0] = 0
        if s[2] > 0 { s[2] -= 1 }
        return 255
    }

    /// `BGSubtractPixel` (learning rate 0); returns the mask value.
    @inline(__always)
    private static func updateWithoutHistory(_ s: UnsafeMutablePointer<Int32>, current: Int32,
                                             previous: Int32) -> UInt8 {
        guard abs(current - previous) < frameThreshold * 3 else {
            s[0] = 0
            return 255
        }
        s[0] += 1
        if s[0] == minimumStability {
            s[0] -= 1
            return 0
        }
        return 255
    }
}

extension CNTSubtractor: BandWork {
    /// Updates a band of pixels of the current frame.
    func work(_ band: Range<Int>) {
        guard let source = frameSource, let target = frameMask else { return }
        // Each pixel is read before its mask byte is written, so the mask may overwrite the frame.
        if learningRate != 0 {
            for pixel in band {
                let current = source[pixel]
                target[pixel] = Self.updateWithHistory(state + pixel * 3, current: Int32(current),
                                                       previous: Int32(previous[pixel]), maximum: maximum)
                previous[pixel] = current
            }
        } else {
            for pixel in band {
                let current = source[pixel]
                target[pixel] = Self.updateWithoutHistory(state + pixel * 3, current: Int32(current),
                                                          previous: Int32(previous[pixel]))
                previous[pixel] = current
            }
        }
    }
}
