import SeccamMotion
import XCTest

/// Whole-detector scores (crop, subsample, subtractor, opening, ROI mean) against dvr-scan's own
/// `MotionDetector` (`detector.json`, from `generate.py`).
final class DetectorKnownAnswerTests: XCTestCase {
    func testScoresMatchDvrScan() throws {
        let fixture = try Fixtures.json("detector.json")
        let width = try XCTUnwrap(fixture["width"] as? Int)
        let height = try XCTUnwrap(fixture["height"] as? Int)
        let seed = try XCTUnwrap(fixture["seed"] as? Int)
        let cases = try XCTUnwrap(fixture["cases"] as? [[String: Any]])
        // -k value that yields the fixture's kernel through the §3.1 scaling rule.
        let requestedKernel = ["default": -1, "k0-df2": 0, "k5-df3-cnt": 15, "regions": -1]
        XCTAssertEqual(cases.count, requestedKernel.count)
        for item in cases {
            let name = try XCTUnwrap(item["name"] as? String)
            var options = DetectorOptions()
            options.subtractor = try XCTUnwrap(SubtractorKind(rawValue: try XCTUnwrap(item["kind"] as? String)))
            options.kernelSize = try XCTUnwrap(requestedKernel[name])
            options.downscaleFactor = try XCTUnwrap(item["downscale"] as? Int)
            let polygons = try XCTUnwrap(item["regions"] as? [[[Int]]])
            options.regions = polygons.map { Region(points: $0.map { PolygonPoint(x: $0[0], y: $0[1]) }) }
            let expected = try XCTUnwrap(item["scores"] as? [Double])

            let detector = try MotionDetector(options: options, videoWidth: width, videoHeight: height)
            XCTAssertEqual(detector.kernelSize, item["kernel"] as? Int, name)
            var scene = SyntheticScene(width: width, height: height, seed: UInt32(seed))
            var sampled = GrayImage(width: detector.plan.width, height: detector.plan.height)
            for (frame, score) in expected.enumerated() {
                detector.plan.sample(scene.frame(frame), into: &sampled)
                let result = detector.process(sampled)
                guard result.rawScore == score else {
                    return XCTFail("\(name): frame \(frame) scores \(result.rawScore), dvr-scan \(score)")
                }
            }
        }
    }
}
