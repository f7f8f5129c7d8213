import SeccamMotion
import XCTest

/// Score formula, rejection rules (§3.3–§3.4), bounding boxes and per-region thresholds, on frames
/// whose MOG2 masks are known exactly: a flat background, then a bright block (|250 - 100| is far
/// beyond sqrt(16 * 15), so exactly the block is foreground).
final class ScoreRulesTests: XCTestCase {
    private func frame(width: Int, height: Int, block: (x: Range<Int>, y: Range<Int>)?) -> GrayImage {
        var image = GrayImage(width: width, height: height, pixels: [UInt8](repeating: 100, count: width * height))
        if let block {
            for y in block.y { for x in block.x { image.pixels[y * width + x] = 250 } }
        }
        return image
    }

    /// Runs two flat frames then one with the block; returns the three scores.
    private func scores(_ options: DetectorOptions, width: Int = 20, height: Int = 10,
                        block: (x: Range<Int>, y: Range<Int>)) throws -> [FrameScore] {
        let detector = try MotionDetector(options: options, videoWidth: width, videoHeight: height)
        var sampled = GrayImage(width: 0, height: 0)
        return [nil, nil, block].map { block in
            detector.plan.sample(frame(width: width, height: height, block: block), into: &sampled)
            return detector.process(sampled)
        }
    }

    private var unfiltered: DetectorOptions {
        var options = DetectorOptions()
        options.kernelSize = 0
        return options
    }

    func testScoreIsMeanOfMaskAndFirstFrameIsZeroedByMaxThreshold() throws {
        let result = try scores(unfiltered, block: (3..<7, 2..<4))
        XCTAssertEqual(result[0].rawScore, 255)
        XCTAssertEqual(result[0].score, 0)
        XCTAssertFalse(result[0].above)
        XCTAssertEqual(result[1].rawScore, 0)
        XCTAssertEqual(result[2].rawScore, 255.0 * 8 / 200)
        XCTAssertEqual(result[2].score, result[2].rawScore)
        XCTAssertTrue(result[2].above)
        XCTAssertEqual(result[2].boundingBox, MotionBox(x: 3, y: 2, width: 4, height: 2))
        XCTAssertNil(result[1].boundingBox)
    }

    func testMaxThresholdIsInclusive() throws {
        var options = unfiltered
        options.maxThreshold = 255.0 * 8 / 200
        XCTAssertEqual(try scores(options, block: (3..<7, 2..<4))[2].score, 0)
        options.maxThreshold = 10.3
        XCTAssertEqual(try scores(options, block: (3..<7, 2..<4))[2].score, 10.2)
    }

    func testMaxAreaWidthHeightRejectLargeBoxes() throws {
        // Box 4x2 in a 20x10 frame: width 0.2, height 0.2, area 0.04.
        var options = unfiltered
        options.maxArea = 0.03
        var result = try scores(options, block: (3..<7, 2..<4))[2]
        XCTAssertEqual(result.score, 0)
        XCTAssertEqual(result.rawScore, 10.2)
        XCTAssertFalse(result.above)
        options.maxArea = 0.041    // 0.2 * 0.2 is 0.04000000000000001 in doubles, like in dvr-scan
        XCTAssertEqual(try scores(options, block: (3..<7, 2..<4))[2].score, 10.2)
        options = unfiltered
        options.maxWidth = 0.19
        XCTAssertEqual(try scores(options, block: (3..<7, 2..<4))[2].score, 0)
        options = unfiltered
        options.maxHeight = 0.2
        result = try scores(options, block: (3..<7, 2..<4))[2]
        XCTAssertEqual(result.score, 10.2)
    }

    func testBoxIsInFullFramePixelsWithCropAndDownscale() throws {
        var options = unfiltered
        options.downscaleFactor = 2
        options.regions = [.rectangle(x: 10, y: 4, width: 20, height: 10)]
        let result = try scores(options, width: 40, height: 20, block: (14..<22, 6..<10))[2]
        // Sampled columns 14, 16, 18, 20 and rows 6, 8 -> crop-local box (2, 1, 4, 2) * 2 + (10, 4).
        XCTAssertEqual(result.boundingBox, MotionBox(x: 14, y: 6, width: 8, height: 4))
        // ROI = 10x5 sampled pixels, all inside the rectangle; 8 of them moved.
        XCTAssertEqual(result.rawScore, 255.0 * 8 / 50)
    }

    func testRegionScoresAndOwnThresholds() throws {
        var options = unfiltered
        let left = Region(name: "left", points: [.init(x: 0, y: 0), .init(x: 10, y: 0), .init(x: 10, y: 10),
                                                 .init(x: 0, y: 10)])
        var right = Region(name: "right", points: [.init(x: 10, y: 0), .init(x: 20, y: 0), .init(x: 20, y: 10),
                                                   .init(x: 10, y: 10)])
        options.regions = [left, right]
        // Crop is 20x10 (max excluded); left polygon covers columns 0...10, right 10...19, rows 0...9.
        var result = try scores(options, block: (3..<7, 2..<4))[2]
        XCTAssertEqual(result.regionScores, [255.0 * 8 / 110, 0])
        XCTAssertEqual(result.rawScore, 255.0 * 8 / 200)
        XCTAssertEqual(result.triggeredRegions, [0])
        XCTAssertTrue(result.above)

        right.threshold = 0
        options.regions = [Region(name: "left", points: left.points, threshold: 50), right]
        result = try scores(options, block: (3..<7, 2..<4))[2]
        XCTAssertEqual(result.triggeredRegions, [1], "left misses its own 50, right's 0 is always reached")
        XCTAssertTrue(result.above)
        options.regions = [Region(name: "left", points: left.points, threshold: 50)]
        result = try scores(options, block: (3..<7, 2..<4))[2]
        XCTAssertEqual(result.triggeredRegions, [])
        XCTAssertFalse(result.above, "a region threshold replaces the global one")
    }
}
