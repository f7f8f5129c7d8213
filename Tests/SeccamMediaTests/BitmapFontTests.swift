import SeccamMedia
import XCTest

/// The built-in font and dvr-scan's text layout (overlays.py `TextOverlay.draw`).
final class BitmapFontTests: XCTestCase {
    func testEveryPrintableCharacterHasItsOwnGlyph() {
        let question = BitmapFont.rows(of: "?")
        for scalar in 33...126 {
            let character = Character(UnicodeScalar(UInt8(scalar)))
            let rows = BitmapFont.rows(of: character)
            XCTAssertEqual(rows.count, BitmapFont.glyphHeight)
            XCTAssertTrue(rows.allSatisfy { $0 < 32 })
            if character != "?" { XCTAssertNotEqual(rows, question, "glyph for \(character)") }
            XCTAssertTrue(rows.contains { $0 != 0 }, "ink in \(character)")
        }
        XCTAssertEqual(BitmapFont.rows(of: "é"), question)
        XCTAssertEqual(BitmapFont.rows(of: " "), Array(repeating: 0, count: 7))
    }

    /// Scale 3 stands in for HERSHEY_SIMPLEX at scale 1.0 (cv2.getTextSize("00:00:01.240") = 212 x 22).
    func testSizesAndDvrScanLayout() {
        XCTAssertEqual(BitmapFont.size(of: "00:00:01.240", scale: 3).width, 213)
        XCTAssertEqual(BitmapFont.size(of: "00:00:01.240", scale: 3).height, 21)
        let timecode = TextOverlay(text: "00:00:01.240", corner: .topLeft)
        let left = timecode.layout(width: 1280)
        XCTAssertTrue(left.box == (4, 4, 225, 33))
        XCTAssertEqual(left.origins.map(\.x), [8])
        XCTAssertEqual(left.origins.map(\.y), [8])
        // Top right, two lines one line-height apart; the box is `border` narrower than the text, as in dvr-scan.
        let metrics = TextOverlay(text: "Frame: 0031\nScore: 12.34", corner: .topRight)
        let right = metrics.layout(width: 1280)
        let textWidth = BitmapFont.size(of: "Score: 12.34", scale: 3).width
        XCTAssertTrue(right.box == (1280 - 4 - textWidth, 4, 1276, 4 + 21 * 3 + 8))
        XCTAssertEqual(right.origins.map(\.x), [1280 - 8 - textWidth, 1280 - 8 - textWidth])
        XCTAssertEqual(right.origins.map(\.y), [8, 8 + 42])
    }

    func testLimitedRangeColours() {
        let red = RectangleOverlay(left: 0, top: 0, right: 1, bottom: 1, thickness: 2, red: 255, green: 0, blue: 0)
        XCTAssertTrue(red.limitedRangeYCbCr == (81, 90, 240))
        let white = RectangleOverlay(left: 0, top: 0, right: 1, bottom: 1, thickness: 2, red: 255, green: 255, blue: 255)
        XCTAssertTrue(white.limitedRangeYCbCr == (235, 128, 128))
    }
}
