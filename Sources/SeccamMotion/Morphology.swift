/// `cv2.morphologyEx(mask, MORPH_OPEN, ones(k, k))`: erosion then dilation with a k x k all-ones kernel
/// (DVR-SCAN.md §3.2). Pixels outside the image are ignored (the window is clipped), as with OpenCV's
/// default border. Separable: each step is a row pass then a column pass, each split into row bands.
public final class Morphology {
    /// Image width.
    public let width: Int
    /// Image height.
    public let height: Int
    /// Kernel side; values <= 1 leave masks unchanged.
    public let kernelSize: Int
    private let scratch: UnsafeMutablePointer<UInt8>
    /// The pass in progress, for the band workers.
    private var pass = Pass(input: nil, output: nil, vertical: false, minimum: true)

    private struct Pass {
        var input: UnsafeMutablePointer<UInt8>?
        var output: UnsafeMutablePointer<UInt8>?
        var vertical: Bool
        var minimum: Bool
    }

    /// Creates a filter with its scratch buffer.
    public init(width: Int, height: Int, kernelSize: Int) {
        self.width = width
        self.height = height
        self.kernelSize = kernelSize
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
        for (vertical, minimum) in [(false, true), (true, true), (false, false), (true, false)] {
            pass = Pass(input: vertical ? scratch : image, output: vertical ? image : scratch,
                        vertical: vertical, minimum: minimum)
            ParallelBands.run(count: height, minimumBand: 64, self)
        }
        pass = Pass(input: nil, output: nil, vertical: false, minimum: true)
    }

    /// Opens a mask image in place.
    public func open(_ mask: inout GrayImage) {
        mask.pixels.withUnsafeMutableBufferPointer { open($0) }
    }

    private typealias Vector = SIMD16<UInt8>

    @inline(__always)
    private static func combine(_ a: Vector, _ b: Vector, minimum: Bool) -> Vector {
        minimum ? pointwiseMin(a, b) : pointwiseMax(a, b)
    }

    @inline(__always)
    private static func combine(_ a: UInt8, _ b: UInt8, minimum: Bool) -> UInt8 {
        minimum ? min(a, b) : max(a, b)
    }

    /// Min or max over the clipped horizontal window of each pixel of rows `band`.
    private func rows(_ band: Range<Int>, from input: UnsafeMutablePointer<UInt8>,
                      to output: UnsafeMutablePointer<UInt8>, minimum: Bool) {
        let radius = kernelSize / 2
        for y in band {
            let source = input + y * width
            let target = output + y * width
            var x = 0
            while x < width {
                if x >= radius && x + 15 + radius < width {
                    var value = UnsafeRawPointer(source + x - radius).loadUnaligned(as: Vector.self)
                    for t in (x - radius + 1)...(x + radius) {
                        value = Self.combine(value, UnsafeRawPointer(source + t).loadUnaligned(as: Vector.self),
                                             minimum: minimum)
                    }
                    UnsafeMutableRawPointer(target + x).storeBytes(of: value, as: Vector.self)
                    x += 16
                } else {
                    var value = source[max(0, x - radius)]
                    for t in max(0, x - radius)...min(width - 1, x + radius) {
                        value = Self.combine(value, source[t], minimum: minimum)
                    }
                    target[x] = value
                    x += 1
                }
            }
        }
    }

    /// Min or max over the clipped vertical window of each pixel of rows `band`.
    private func columns(_ band: Range<Int>, from input: UnsafeMutablePointer<UInt8>,
                         to output: UnsafeMutablePointer<UInt8>, minimum: Bool) {
        let radius = kernelSize / 2
        for y in band {
            let top = max(0, y - radius)
            let bottom = min(height - 1, y + radius)
            let target = output + y * width
            var x = 0
            while x + 16 <= width {
                var value = UnsafeRawPointer(input + top * width + x).loadUnaligned(as: Vector.self)
                for row in top...bottom {
                    value = Self.combine(value,
                                         UnsafeRawPointer(input + row * width + x).loadUnaligned(as: Vector.self),
                                         minimum: minimum)
                }
                UnsafeMutableRawPointer(target + x).storeBytes(of: value, as: Vector.self)
                x += 16
            }
            while x < width {
                var value = input[top * width + x]
                for row in top...bottom {
                    value = Self.combine(value, input[row * width + x], minimum: minimum)
                }
                target[x] = value
                x += 1
            }
        }
    }
}

extension Morphology: BandWork {
    /// Runs the current pass over a band of rows.
    func work(_ band: Range<Int>) {
        guard let input = pass.input, let output = pass.output else { return }
        if pass.vertical {
            columns(band, from: input, to: output, minimum: pass.minimum)
        } else {
            rows(band, from: input, to: output, minimum: pass.minimum)
        }
    }
}
