import SeccamMotion
import XCTest

/// Polygon fill against `cv2.fillPoly(..., LINE_4)` (`polygons.json`: border-touching, clipped,
/// self-intersecting, degenerate and 40 random polygons).
final class PolygonRasterizerTests: XCTestCase {
    func testFillMatchesOpenCV() throws {
        let fixture = try Fixtures.json("polygons.json")
        let width = try XCTUnwrap(fixture["width"] as? Int)
        let height = try XCTUnwrap(fixture["height"] as? Int)
        let cases = try XCTUnwrap(fixture["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 45)
        for (index, item) in cases.enumerated() {
            let points = try XCTUnwrap(item["points"] as? [[Int]]).map { PolygonPoint(x: $0[0], y: $0[1]) }
            let expected = Fixtures.mask(try XCTUnwrap(item["mask"] as? [String]))
            var mask = [UInt8](repeating: 0, count: width * height)
            PolygonRasterizer.fill(points, into: &mask, width: width, height: height)
            let differing = zip(mask, expected).filter { $0 != $1 }.count
            XCTAssertEqual(differing, 0, "polygon #\(index) \(points.map { "\($0.x),\($0.y)" })")
        }
    }

    func testFillIsAUnionWithExistingPixels() {
        var mask = [UInt8](repeating: 0, count: 10 * 10)
        PolygonRasterizer.fill([.init(x: 0, y: 0), .init(x: 4, y: 0), .init(x: 4, y: 4), .init(x: 0, y: 4)],
                               into: &mask, width: 10, height: 10)
        PolygonRasterizer.fill([.init(x: 6, y: 6), .init(x: 9, y: 6), .init(x: 9, y: 9), .init(x: 6, y: 9)],
                               into: &mask, width: 10, height: 10)
        // Both squares include their edges (LINE_4 outline), 5x5 and 4x4 pixels.
        XCTAssertEqual(mask.filter { $0 == 255 }.count, 25 + 16)
        XCTAssertEqual(mask[0], 255)
        XCTAssertEqual(mask[9 * 10 + 9], 255)
        XCTAssertEqual(mask[5 * 10 + 5], 0)
    }

    func testSamplingPlanCropsExclusiveOfMaxAndSubsamples() {
        let polygon = [PolygonPoint(x: 10, y: 20), PolygonPoint(x: 31, y: 20), PolygonPoint(x: 20, y: 27)]
        let plan = SamplingPlan(videoWidth: 100, videoHeight: 50, downscaleFactor: 2, polygons: [polygon])
        XCTAssertEqual([plan.cropX, plan.cropY, plan.cropWidth, plan.cropHeight], [10, 20, 21, 7])
        XCTAssertEqual([plan.width, plan.height, plan.step], [11, 4, 2])
        let full = GrayImage(width: 100, height: 50, pixels: (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        var sampled = GrayImage(width: 0, height: 0)
        plan.sample(full, into: &sampled)
        XCTAssertEqual(sampled.pixels[0], full.pixels[20 * 100 + 10])
        XCTAssertEqual(sampled.pixels[1 * 11 + 3], full.pixels[22 * 100 + 16])
        XCTAssertEqual(sampled.pixels.last, full.pixels[26 * 100 + 30])
    }
}
