/// A per-pixel background model that turns gray frames into 0/255 foreground masks.
public protocol BackgroundSubtractor: AnyObject {
    /// Model width in pixels.
    var width: Int { get }
    /// Model height in pixels.
    var height: Int { get }
    /// Updates the model with one frame and writes its mask (0 background, 255 foreground).
    ///
    /// - Parameters:
    ///   - gray: `width * height` pixels, row-major.
    ///   - mask: `width * height` bytes, overwritten.
    func apply(_ gray: UnsafeBufferPointer<UInt8>, mask: UnsafeMutableBufferPointer<UInt8>)
    /// Updates the model with `count` frames in order and writes their masks: the same masks as `count` calls
    /// of `apply(_:mask:)`, possibly faster. Every subtractor reads a pixel before it writes that pixel's mask
    /// byte, so `masks` may be the memory of `frames` (the frames are then replaced by their masks).
    ///
    /// - Parameters:
    ///   - frames: `count` frames of `width * height` pixels, back to back.
    ///   - masks: `count` masks of `width * height` bytes, back to back, overwritten.
    func apply(frames: UnsafeBufferPointer<UInt8>, count: Int, masks: UnsafeMutableBufferPointer<UInt8>)
}

extension BackgroundSubtractor {
    /// One frame at a time.
    public func apply(frames: UnsafeBufferPointer<UInt8>, count: Int, masks: UnsafeMutableBufferPointer<UInt8>) {
        let pixels = width * height
        precondition(count >= 0 && frames.count == pixels * count && masks.count == pixels * count,
                     "subtractor: buffer size mismatch")
        for frame in 0..<count {
            apply(frames.frame(frame, size: pixels), mask: masks.frame(frame, size: pixels))
        }
    }

    /// Updates the model with `gray` and writes its mask into `mask` (resized if needed).
    public func apply(_ gray: GrayImage, mask: inout GrayImage) {
        precondition(gray.width == width && gray.height == height, "subtractor: frame size mismatch")
        if mask.width != width || mask.height != height {
            mask = GrayImage(width: width, height: height)
        }
        gray.pixels.withUnsafeBufferPointer { source in
            mask.pixels.withUnsafeMutableBufferPointer { target in
                apply(source, mask: target)
            }
        }
    }
}

/// Which code path a subtractor uses; both give identical masks.
public enum SubtractorImplementation: Sendable, CaseIterable {
    /// One pixel at a time, following DVR-SCAN.md literally (the oracle).
    case reference
    /// SIMD lanes and row bands on all cores. MOG2 runs its 16-lane AVX-512 kernel when the CPU has AVX-512
    /// (`MOG2Subtractor.usesAVX512`), else its AVX2 kernel (`usesAVX2`), else the `portableVectorized` Swift SIMD code.
    case vectorized
    /// Like `vectorized`, but never the AVX-512 kernel of MOG2 (for tests and benchmarks on AVX-512 machines).
    case avx2
    /// Like `vectorized`, but always the Swift SIMD8 code (baseline SSE2); no AVX2 kernel.
    case portableVectorized
}
