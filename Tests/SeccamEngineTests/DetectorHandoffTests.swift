import Foundation
import SeccamEngine
import SeccamTestSupport
import Synchronization
import XCTest

/// A camera's background model survives a reconnect: a second session that takes over the model scores
/// frames exactly as one continuous session over both inputs would (dvr-scan's concatenation keeps the model).
final class DetectorHandoffTests: XCTestCase {
    private func scores(_ inputs: [URL], handoff: DetectorHandoff?) throws -> [Double] {
        var options = ScanOptions()
        options.detectorHandoff = handoff
        var scores: [Double] = []
        _ = try ScanSession(inputs: inputs.map { SourceURL($0.path) }, options: options).run(onFrame: { scores.append($0.score.score) })
        return scores
    }

    func testASecondSessionContinuesTheModel() throws {
        let video = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        let continuous = try scores([video, video], handoff: nil)
        let handoff = DetectorHandoff(maxGap: 30)
        let first = try scores([video], handoff: handoff)
        let second = try scores([video], handoff: handoff)
        XCTAssertEqual(first + second, continuous)
        // Without the handoff the second session starts from an empty model and scores differently.
        let fresh = try scores([video], handoff: nil)
        XCTAssertNotEqual(fresh, second)
    }

    func testTheModelIsNotReusedAfterALongGapOrForAnotherSize() throws {
        let video = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        let fresh = try scores([video], handoff: nil)
        let expired = DetectorHandoff(maxGap: 0)
        _ = try scores([video], handoff: expired)
        XCTAssertEqual(try scores([video], handoff: expired), fresh, "a gap longer than maxGap starts a fresh model")

        let resized = DetectorHandoff(maxGap: 30)
        _ = try scores([TestPaths.fixtures.appendingPathComponent("moving_box_180p.mp4")], handoff: resized)
        XCTAssertEqual(try scores([video], handoff: resized), fresh, "another frame size starts a fresh model")
    }
}
