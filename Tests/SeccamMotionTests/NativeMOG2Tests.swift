import SeccamMotion
import XCTest

/// The C kernel (`.vectorized`: the AVX-512VL build on AVX-512 CPUs; `.avx2`: the AVX2 build) and the Swift SIMD path give the same masks as the literal
/// scalar reference, on scenes that also drive mode replacement (all 5 modes used) and pruning.
final class NativeMOG2Tests: XCTestCase {
    /// `SyntheticScene` with a share of pixels redrawn uniformly at random every frame, so those pixels keep
    /// creating modes (replacing the weakest once all 5 are used) and their stale modes decay until pruned.
    private struct FlickerScene {
        var base: SyntheticScene
        var state: UInt32
        let period: Int

        mutating func frame(_ f: Int) -> GrayImage {
            var image = base.frame(f)
            for index in image.pixels.indices where index % period == f % 3 {
                state = state &* 1_103_515_245 &+ 12345
                image.pixels[index] = UInt8(truncatingIfNeeded: state >> 16)
            }
            return image
        }
    }

    /// Compares `implementation` with the reference frame by frame; with `batch` > 1 the tested subtractor takes the
    /// frames `batch` at a time (`apply(frames:count:masks:)`), the last batch possibly shorter; `inPlace` writes the
    /// masks over the frames.
    private func check(_ implementation: SubtractorImplementation, width: Int, height: Int, frames: Int,
                       varianceThreshold: Double = 16, learningRate: Double = -1, batch: Int = 1, inPlace: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) {
        let reference = MOG2Subtractor(width: width, height: height, varianceThreshold: varianceThreshold,
                                       learningRate: learningRate, implementation: .reference)
        let tested = MOG2Subtractor(width: width, height: height, varianceThreshold: varianceThreshold,
                                    learningRate: learningRate, implementation: implementation)
        var scene = FlickerScene(base: SyntheticScene(width: width, height: height, seed: 7), state: 42, period: 5)
        var expected = GrayImage(width: width, height: height)
        var foreground = 0, background = 0
        var first = 0
        while first < frames {
            let count = min(batch, frames - first)
            var images: [UInt8] = []
            var expectedMasks: [[UInt8]] = []
            for frame in first..<(first + count) {
                let image = scene.frame(frame)
                images += image.pixels
                reference.apply(image, mask: &expected)
                expectedMasks.append(expected.pixels)
            }
            var masks = [UInt8](repeating: 7, count: images.count)
            if inPlace {
                masks = images
                masks.withUnsafeMutableBufferPointer { tested.apply(frames: UnsafeBufferPointer($0), count: count, masks: $0) }
            } else {
                images.withUnsafeBufferPointer { source in
                    masks.withUnsafeMutableBufferPointer { tested.apply(frames: source, count: count, masks: $0) }
                }
            }
            for (offset, expectedMask) in expectedMasks.enumerated() {
                let count = expectedMask.filter { $0 != 0 }.count
                foreground += count
                background += expectedMask.count - count
                let actual = masks[(offset * width * height)..<((offset + 1) * width * height)]
                guard expectedMask.elementsEqual(actual) else {
                    let differing = zip(expectedMask, actual).filter { $0 != $1 }.count
                    return XCTFail("\(implementation) lr \(learningRate) batch \(batch): frame \(first + offset): \(differing) mask pixels differ",
                                   file: file, line: line)
                }
            }
            first += count
        }
        XCTAssertGreaterThan(foreground, 0, file: file, line: line)
        if learningRate < 1 {  // learning rate 1 re-initialises every frame: all foreground
            XCTAssertGreaterThan(background, 0, file: file, line: line)
        }
    }

    func testKernelsEqualReferenceWithReplacementAndPruning() {
        if !MOG2Subtractor.usesAVX2 {
            print("NativeMOG2Tests: no AVX2 on this CPU; .vectorized runs the Swift SIMD path")
        }
        // 161x121: a tail chunk (19481 pixels is not a multiple of 8) and more than one band of chunks.
        for implementation in [SubtractorImplementation.vectorized, .avx2, .portableVectorized] {
            check(implementation, width: 161, height: 121, frames: 320)
            check(implementation, width: 161, height: 121, frames: 200, learningRate: 0.1)
            check(implementation, width: 161, height: 121, frames: 200, varianceThreshold: 25, learningRate: 0.02)
            check(implementation, width: 37, height: 23, frames: 300, learningRate: 0.3)
            check(implementation, width: 5, height: 3, frames: 100)  // a single, partial chunk
        }
    }

    func testFixedLearningRateZeroAndOneEqualReference() {
        for implementation in [SubtractorImplementation.vectorized, .avx2, .portableVectorized] {
            check(implementation, width: 64, height: 33, frames: 60, learningRate: 0)
            check(implementation, width: 64, height: 33, frames: 20, learningRate: 1)
        }
    }

    /// Frames in batches give the masks of frames one at a time: the C kernels walk a batch a tile of the model at
    /// a time (161x121 has 38 tiles and a tail chunk, and is split into parallel bands), and the reference and
    /// Swift SIMD paths loop over the frames. Batches of 16, 24 and of 5 (the last one shorter), from the first
    /// frame (the model starts empty), with a learning rate of 1 (every frame restarts the model), and with the
    /// masks written over the frames, as `MotionDetector` does.
    func testBatchesEqualFramesOneAtATime() {
        for implementation in SubtractorImplementation.allCases {
            check(implementation, width: 161, height: 121, frames: 100, batch: 16)
            check(implementation, width: 161, height: 121, frames: 100, batch: 24, inPlace: true)
            check(implementation, width: 161, height: 121, frames: 61, learningRate: 0.1, batch: 5)
            check(implementation, width: 64, height: 33, frames: 20, learningRate: 1, batch: 4, inPlace: true)
            check(implementation, width: 5, height: 3, frames: 40, batch: 16)
        }
    }
}
