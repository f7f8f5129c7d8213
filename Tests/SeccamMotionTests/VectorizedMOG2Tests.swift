import SeccamMotion
import XCTest

/// The SIMD, multi-core MOG2 path gives the same masks as the literal scalar reference.
final class VectorizedMOG2Tests: XCTestCase {
    func testVectorizedMasksEqualReference() {
        // 161x121 is not a multiple of 8 pixels (tail lanes) and large enough for several row bands.
        let width = 161, height = 121
        let reference = MOG2Subtractor(width: width, height: height, implementation: .reference)
        let vectorized = MOG2Subtractor(width: width, height: height, implementation: .vectorized)
        let portable = MOG2Subtractor(width: width, height: height, implementation: .portableVectorized)
        var scene = SyntheticScene(width: width, height: height, seed: 99)
        var expected = GrayImage(width: width, height: height)
        var actual = GrayImage(width: width, height: height)
        var foregroundSeen = 0
        for frame in 0..<320 {
            let image = scene.frame(frame)
            reference.apply(image, mask: &expected)
            foregroundSeen += expected.pixels.filter { $0 != 0 }.count
            for (name, subtractor) in [("vectorized", vectorized), ("portableVectorized", portable)] {
                subtractor.apply(image, mask: &actual)
                guard expected == actual else {
                    let differing = zip(expected.pixels, actual.pixels).filter { $0 != $1 }.count
                    return XCTFail("\(name) frame \(frame): \(differing) mask pixels differ")
                }
            }
        }
        XCTAssertGreaterThan(foregroundSeen, 0, "the scene must produce motion to be a meaningful check")
    }
}
