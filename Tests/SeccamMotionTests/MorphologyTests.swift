import SeccamMotion
import XCTest

final class MorphologyTests: XCTestCase {
    private func opened(_ input: [UInt8], width: Int, height: Int, kernel: Int) -> [UInt8] {
        var mask = GrayImage(width: width, height: height, pixels: input)
        Morphology(width: width, height: height, kernelSize: kernel).open(&mask)
        return mask.pixels
    }

    /// Random masks opened by `cv2.morphologyEx(MORPH_OPEN, ones(k, k))` (`morphology.json`).
    func testOpeningMatchesOpenCV() throws {
        let cases = try XCTUnwrap(try Fixtures.json("morphology.json")["cases"] as? [[String: Any]])
        XCTAssertFalse(cases.isEmpty)
        for item in cases {
            let width = try XCTUnwrap(item["width"] as? Int)
            let height = try XCTUnwrap(item["height"] as? Int)
            let kernel = try XCTUnwrap(item["kernel"] as? Int)
            let input = Fixtures.mask(try XCTUnwrap(item["input"] as? [String]))
            let expected = Fixtures.mask(try XCTUnwrap(item["output"] as? [String]))
            XCTAssertEqual(opened(input, width: width, height: height, kernel: kernel), expected,
                           "k=\(kernel) \(width)x\(height)")
        }
    }

    func testHandMadeMasks() {
        // An isolated pixel disappears; a 3x3 block survives k=3 but not k=5.
        var mask = [UInt8](repeating: 0, count: 12 * 9)
        mask[1 * 12 + 1] = 255
        for y in 4..<7 { for x in 6..<9 { mask[y * 12 + x] = 255 } }
        var block = [UInt8](repeating: 0, count: 12 * 9)
        for y in 4..<7 { for x in 6..<9 { block[y * 12 + x] = 255 } }
        XCTAssertEqual(opened(mask, width: 12, height: 9, kernel: 3), block)
        XCTAssertEqual(opened(mask, width: 12, height: 9, kernel: 5), [UInt8](repeating: 0, count: 12 * 9))
        // Pixels outside the image are ignored, so a full mask stays full and a 3x3 corner block survives.
        let full = [UInt8](repeating: 255, count: 20 * 20)
        XCTAssertEqual(opened(full, width: 20, height: 20, kernel: 7), full)
        var corner = [UInt8](repeating: 0, count: 20 * 20)
        for y in 0..<3 { for x in 17..<20 { corner[y * 20 + x] = 255 } }
        XCTAssertEqual(opened(corner, width: 20, height: 20, kernel: 3), corner)
        // Kernel 0 or 1 leaves the mask as it is.
        XCTAssertEqual(opened(mask, width: 12, height: 9, kernel: 0), mask)
    }
}
