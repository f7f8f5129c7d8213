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

    private func check(_ implementation: SubtractorImplementation, width: Int, height: Int, frames: Int,
                       varianceThreshold: Double = 16, learningRate: Double = -1,
                       file: StaticString = #filePath, line: UInt = #line) {
        let reference = MOG2Subtractor(width: width, height: height, varianceThreshold: varianceThreshold,
                                       learningRate: learningRate, implementation: .reference)
        let tested = MOG2Subtractor(width: width, height: height, varianceThreshold: varianceThreshold,
                                    learningRate: learningRate, implementation: implementation)
        var scene = FlickerScene(base: SyntheticScene(width: width, height: height, seed: 7), state: 42, period: 5)
        var expected = GrayImage(width: width, height: height)
        var actual = GrayImage(width: width, height: height)
        var foreground = 0, background = 0
        for frame in 0..<frames {
            let image = scene.frame(frame)
            reference.apply(image, mask: &expected)
            tested.apply(image, mask: &actual)
            let count = expected.pixels.filter { $0 != 0 }.count
            foreground += count
            background += expected.pixels.count - count
            guard expected == actual else {
                let differing = zip(expected.pixels, actual.pixels).filter { $0 != $1 }.count
                return XCTFail("\(implementation) lr \(learningRate): frame \(frame): \(differing) mask pixels differ",
                               file: file, line: line)
            }
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
}
