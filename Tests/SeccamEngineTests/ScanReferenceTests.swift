import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `scan` finds dvr-scan 1.8.2.1's events: the reference outputs under ../shared/videos/reference were
/// made by the real dvr-scan with default options.
final class ScanReferenceTests: XCTestCase {
    private func timecodeLine(_ result: ScanResult) -> String {
        result.events.flatMap { [Timecode.format(frames: $0.startFrame, fps: result.framesPerSecond, precision: 3),
                                 Timecode.format(frames: $0.endFrame, fps: result.framesPerSecond, precision: 3)] }
            .joined(separator: ",")
    }

    func testDefaultScanOfEverySharedVideoMatchesDvrScan() throws {
        for url in TestPaths.allSharedVideos() {
            let result = try ScanSession(inputs: [SourceURL(url.path)], options: ScanOptions()).run()
            XCTAssertEqual(timecodeLine(result), try TestPaths.referenceTimecodes(url.lastPathComponent), url.lastPathComponent)
        }
    }

    /// A stream with a display rotation is scanned turned, as OpenCV (and so dvr-scan) shows it: 240x320, and at
    /// `-df 2` the kept pixels are every other one of the turned picture. The reference scores are dvr-scan's own
    /// (`Fixtures/expected/moving_box_rot90_df2.dvrscan.csv`); 12 of its 250 frames differ from the unturned file's.
    func testRotatedStreamScoresLikeDvrScan() throws {
        var options = ScanOptions()
        options.detector.downscaleFactor = 2
        var scores: [Double] = []
        let result = try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box_rot90.mp4").path)],
                                     options: options).run(onFrame: { scores.append($0.score.score) })
        XCTAssertEqual([result.width, result.height], [240, 320])
        let csv = try String(contentsOf: TestPaths.fixtures.appendingPathComponent("expected/moving_box_rot90_df2.dvrscan.csv"), encoding: .utf8)
        // dvr-scan's raw score; its scanner reads >= 255 (max-threshold) as 0 before the event logic, as ours reports.
        let expected = csv.split(separator: "\n").dropFirst().map { line -> Double in
            let raw = Double(line.split(separator: ",")[1])!
            return raw >= 255 ? 0 : raw
        }
        XCTAssertEqual(scores.count, expected.count)
        XCTAssertEqual(scores, expected)
    }

    /// dvr-scan's own test (tests/test_scan_context.py: ROI 631 532 210 127, min_event_len 4, no pre-roll)
    /// expects events (9,149), (358,491), (542,576). The older published `dvrscan_traffic_camera.expected.txt`
    /// lists the same events in its own convention: first frame + 1, last frame inclusive (end − 1).
    func testPublishedTrafficCameraExpectation() throws {
        var options = ScanOptions()
        options.detector.regions = [.rectangle(x: 631, y: 532, width: 210, height: 127)]
        options.minEventLength = .frames(4)
        options.timeBeforeEvent = .frames(0)
        let url = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        let result = try ScanSession(inputs: [SourceURL(url.path)], options: options).run()
        let events = result.events.map { [$0.startFrame, $0.endFrame] }
        XCTAssertEqual(events, [[9, 149], [358, 491], [542, 576]])

        let published = try String(contentsOf: TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.expected.txt"), encoding: .utf8)
        let rows = published.split(separator: "\n").compactMap { line -> [Int]? in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3, let _ = Int(cells[0]), let start = Int(cells[1]), let end = Int(cells[2]) else { return nil }
            return [start, end]
        }
        XCTAssertEqual(rows, events.map { [$0[0] + 1, $0[1] - 1] })
        // And the same run as dvr-scan 1.8.2.1 printed it (reference/traffic_camera_roi_runs.txt).
        let runs = try String(contentsOf: TestPaths.sharedVideos.appendingPathComponent("reference/traffic_camera_roi_runs.txt"), encoding: .utf8)
        let section = runs.components(separatedBy: "== ")
            .first { $0.hasPrefix("dvrscan_traffic_camera.mp4\n") } ?? ""
        XCTAssertEqual(section.split(separator: "\n").last.map(String.init), timecodeLine(result))
    }

    func testRealTimestampsDifferFromDvrScanTimesOnVariableFrameRateVideo() throws {
        let url = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera_vfr.mp4")
        let result = try ScanSession(inputs: [SourceURL(url.path)], options: ScanOptions()).run()
        let event = try XCTUnwrap(result.events.first)
        // dvr-scan times by index / average fps; the last frame's real pts is later (DVR-SCAN.md §6.3).
        XCTAssertEqual(event.endSeconds, Double(event.endFrame) / result.framesPerSecond)
        XCTAssertGreaterThan(event.endPTSSeconds, event.endSeconds)
    }

    func testConcatenatedInputsContinueFrameNumbers() throws {
        let a = TestPaths.fixtures.appendingPathComponent("static.mp4")
        let b = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        let single = try ScanSession(inputs: [SourceURL(b.path)], options: ScanOptions()).run()
        let joined = try ScanSession(inputs: [SourceURL(a.path), SourceURL(b.path)], options: ScanOptions()).run()
        let first = try FrameCount.decodeAll(SourceURL(a.path)).frames
        XCTAssertEqual(joined.framesRead, single.framesRead + first)
        XCTAssertTrue(joined.events.contains { $0.startFrame > first }, "motion of the second input is found after the first's frames")
    }

    func testFixturesHaveMotionOnlyWhereTheyShould() throws {
        let still = try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("static.mp4").path)], options: ScanOptions()).run()
        XCTAssertEqual(still.events.count, 0)
        let box = try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path)], options: ScanOptions()).run()
        // The box is visible from frame 100 (4.0 s) to 149; the event begins 1.5 s (38 frames) earlier.
        let event = try XCTUnwrap(box.events.first { $0.peakFrame >= 100 })
        XCTAssertLessThanOrEqual(event.startFrame, 100 - 38 + 2)
        XCTAssertGreaterThanOrEqual(event.endFrame, 150)
        XCTAssertGreaterThan(event.peakScore, 1)
        XCTAssertNotNil(event.boundingBox)
    }
}
