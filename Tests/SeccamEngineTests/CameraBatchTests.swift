import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// A camera (here a file paced in real time, as `run` plays a looped file) is scored in small batches in line: the
/// scores and events equal a plain scan's, and they come in bursts of a batch rather than one per frame.
final class CameraBatchTests: XCTestCase {
    func testRealTimeScanScoresInBatchesLikeAPlainScan() throws {
        // 3 s at 25 fps: 75 frames, batches of 2, the last one short.
        let input = SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box_yuv422.mp4").path)
        var plainScores: [Double] = []
        let plain = try ScanSession(inputs: [input], options: ScanOptions()).run(onFrame: { plainScores.append($0.score.score) })

        var options = ScanOptions()
        options.realTime = true
        var scores: [Double] = []
        var frames: [Int] = []
        var arrivals: [Date] = []
        let paced = try ScanSession(inputs: [input], options: options).run(onFrame: {
            scores.append($0.score.score)
            frames.append($0.frame)
            arrivals.append(Date())
        })

        XCTAssertEqual(scores.count, 75)
        XCTAssertTrue(scores.contains { $0 > 0 }, "the fixture must have motion for the comparison to mean anything")
        XCTAssertEqual(frames, Array(0..<75), "every frame scored once, in order, the short last batch included")
        XCTAssertEqual(scores, plainScores)
        XCTAssertEqual(paced.events.map { [$0.startFrame, $0.endFrame] }, plain.events.map { [$0.startFrame, $0.endFrame] })
        // Frame by frame, a score would follow each 40 ms frame (74 pauses); in batches of 2 they come in pairs,
        // 80 ms apart (37 pauses).
        let pauses = zip(arrivals, arrivals.dropFirst()).filter { $1.timeIntervalSince($0) > 0.02 }.count
        XCTAssertLessThanOrEqual(pauses, 55, "\(pauses) pauses between 75 scores: not scored in batches")
        XCTAssertGreaterThanOrEqual(pauses, 5, "\(pauses) pauses between 75 scores: not paced in real time")
    }
}
