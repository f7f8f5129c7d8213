internal import CSeccamFFmpeg
internal import CSeccamFFmpegSupport

/// Which pixels of a frame a detector needs: output pixel (row i, column j) is pixel
/// (x: `cropX + j·step`, y: `cropY + i·step`) of the picture turned by `rotation`, for `width` × `height`
/// output pixels.
public struct GraySampling: Sendable, Equatable {
    public var cropX: Int
    public var cropY: Int
    public var step: Int
    public var width: Int
    public var height: Int
    /// The stream's display rotation: coordinates are those of the turned picture, as OpenCV shows it.
    public var rotation: DisplayRotation

    public init(cropX: Int, cropY: Int, step: Int, width: Int, height: Int, rotation: DisplayRotation = .none) {
        self.cropX = cropX
        self.cropY = cropY
        self.step = max(1, step)
        self.width = width
        self.height = height
        self.rotation = rotation
    }

    /// Every pixel of a `width` × `height` frame.
    public static func full(width: Int, height: Int) -> GraySampling {
        GraySampling(cropX: 0, cropY: 0, step: 1, width: width, height: height)
    }
}

/// The code paths of the 4:2:0 gray conversion. All give identical bytes; the vector ones are checked against
/// `.scalar` (itself checked against swscale) on real footage.
public enum GrayKernel: Int32, Sendable, CaseIterable {
    /// Plain C loop: the reference.
    case scalar = 0
    /// AVX2, 32 pixels per step (sampling steps 1 and 2; other steps run the C loop).
    case avx2 = 1
    /// AVX-512BW, 64 pixels per step (sampling steps 1 and 2; other steps run the C loop).
    case avx512 = 2

    /// The fastest kernel this CPU supports (runtime detection), used by default.
    public static let best: GrayKernel = GrayKernel(rawValue: cseccam_gray_best_kernel()) ?? .scalar

    /// The kernels this CPU can run.
    public static var available: [GrayKernel] { allCases.filter { $0.rawValue <= best.rawValue } }
}

/// Computes dvr-scan's gray values (OpenCV BGR24 via swscale, then `cvtColor(BGR2GRAY)`) from decoded
/// frames, exactly, and only at the pixels a ``GraySampling`` keeps (DVR-SCAN.md §1.1, §1.4).
///
/// 8-bit 4:2:0 frames (`yuv420p`, `yuvj420p`) use swscale's x86 SSSE3 YUV→BGR integer formula directly on
/// the planes (`cseccam_yuv420_gray`: AVX-512BW or AVX2 when the CPU has them, else a plain C loop; see
/// ``GrayKernel``); every other pixel format is converted by swscale to BGR24 first, as OpenCV does.
/// Not thread-safe; one per camera. Buffers are reused, so steady-state conversion does not allocate.
public final class GrayConverter {
    private var scaler: OpaquePointer?
    private var bgr: [UInt8] = []
    private var bgrSize = (width: 0, height: 0, format: Int32(-1))
    /// The whole unturned frame's gray, for streams with a display rotation.
    private var unturned: [UInt8] = []

    /// The kernel used for 8-bit 4:2:0 frames.
    public let kernel: GrayKernel

    /// - Parameter kernel: force a code path (tests); a kernel the CPU lacks falls back to the best it has.
    public init(kernel: GrayKernel = .best) {
        self.kernel = kernel.rawValue <= GrayKernel.best.rawValue ? kernel : .best
    }

    deinit {
        sws_freeContext(scaler)
    }

    /// Writes `sampling.width × sampling.height` gray bytes into `output` (resized only if its size differs).
    /// - Throws: ``MediaError`` `invalidData` when the sampled area does not fit the frame (a camera changed
    ///   resolution), or a swscale failure.
    public func convert(_ frame: borrowing Frame, sampling: GraySampling, into output: inout [UInt8]) throws(MediaError) {
        let count = sampling.width * sampling.height
        if output.count != count { output = [UInt8](repeating: 0, count: count) }
        try output.withUnsafeMutableBufferPointer { (buffer) throws(MediaError) in try convert(frame, sampling: sampling, into: buffer) }
    }

    /// Writes `sampling.width × sampling.height` gray bytes into `output`, which has exactly that many.
    /// - Throws: as the variant that writes into an array.
    public func convert(_ frame: borrowing Frame, sampling: GraySampling, into output: UnsafeMutableBufferPointer<UInt8>) throws(MediaError) {
        precondition(output.count == sampling.width * sampling.height, "GrayConverter: output size mismatch")
        guard sampling.width > 0, sampling.height > 0 else { return }
        let lastX = sampling.cropX + (sampling.width - 1) * sampling.step
        let lastY = sampling.cropY + (sampling.height - 1) * sampling.step
        let shown = sampling.rotation.displaySize(width: frame.width, height: frame.height)
        guard sampling.cropX >= 0, sampling.cropY >= 0, lastX < shown.width, lastY < shown.height else {
            throw MediaError(code: .invalidData, operation: "converting a frame to gray",
                             reason: "the frame is \(shown.width)x\(shown.height) but the detector expects pixels up to (\(lastX), \(lastY))")
        }
        if sampling.rotation != .none {
            try convertTurned(frame, sampling: sampling, into: output)
            return
        }
        let format = frame.pixelFormat
        if format.isPlanar420EightBit {
            let fullRange: Int32 = format.isFullRangeYUVJ ? 1 : 0
            frame.withPlanes { y, u, v in
                guard let yBase = y.base, let uBase = u.base, let vBase = v.base else { return }
                cseccam_yuv420_gray_kernel(kernel.rawValue, yBase, Int32(y.stride), uBase, Int32(u.stride), vBase, Int32(v.stride),
                                           Int32(sampling.cropX), Int32(sampling.cropY), Int32(sampling.step),
                                           Int32(sampling.width), Int32(sampling.height), fullRange, output.baseAddress)
            }
        } else {
            try convertThroughBGR(frame, sampling: sampling, into: output)
        }
    }

    /// A turned stream: every pixel's gray in the frame's own orientation (gray is per pixel, so turning
    /// after converting equals OpenCV's turning the BGR picture first), then the sampled pixels picked through
    /// the turn.
    private func convertTurned(_ frame: borrowing Frame, sampling: GraySampling, into target: UnsafeMutableBufferPointer<UInt8>) throws(MediaError) {
        let width = frame.width, height = frame.height
        try convert(frame, sampling: .full(width: width, height: height), into: &unturned)
        unturned.withUnsafeBufferPointer { source in
            for row in 0..<sampling.height {
                let y = sampling.cropY + row * sampling.step
                for column in 0..<sampling.width {
                    let p = sampling.rotation.sourcePixel(x: sampling.cropX + column * sampling.step, y: y, width: width, height: height)
                    target[row * sampling.width + column] = source[p.y * width + p.x]
                }
            }
        }
    }

    private func convertThroughBGR(_ frame: borrowing Frame, sampling: GraySampling, into out: UnsafeMutableBufferPointer<UInt8>) throws(MediaError) {
        let width = frame.width, height = frame.height
        let format = frame.pixelFormat.rawValue
        scaler = sws_getCachedContext(scaler, Int32(width), Int32(height), AVPixelFormat(rawValue: format),
                                      Int32(width), Int32(height), AV_PIX_FMT_BGR24, SWS_BICUBIC, nil, nil, nil)
        guard let scaler else {
            throw MediaError(code: .unsupported, operation: "converting \(frame.pixelFormat.name) frames to BGR24",
                             call: "sws_getCachedContext", reason: "swscale cannot convert this pixel format")
        }
        if bgrSize != (width, height, format) {
            bgr = [UInt8](repeating: 0, count: width * height * 3)
            bgrSize = (width, height, format)
        }
        let stride = width * 3
        let result = bgr.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var destination: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            var destinationStride = Int32(stride)
            return withUnsafePointer(to: frame.raw.pointee.data) { data in
                withUnsafePointer(to: frame.raw.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                            sws_scale(scaler, planes, strides, 0, Int32(height), &destination, &destinationStride)
                        }
                    }
                }
            }
        }
        try ffCheck(result, "sws_scale", "converting \(frame.pixelFormat.name) frames to BGR24")
        bgr.withUnsafeBufferPointer { source in
            var index = 0
            for i in 0..<sampling.height {
                let row = (sampling.cropY + i * sampling.step) * stride
                var offset = row + sampling.cropX * 3
                for _ in 0..<sampling.width {
                    out[index] = BGRToGray.gray(b: source[offset], g: source[offset + 1], r: source[offset + 2])
                    index += 1
                    offset += sampling.step * 3
                }
            }
        }
    }
}

@available(*, unavailable)
extension GrayConverter: Sendable {}
