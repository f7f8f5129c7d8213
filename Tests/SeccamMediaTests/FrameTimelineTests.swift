import SeccamMedia
import XCTest

/// Frame number → presentation time, for files (every frame kept) and live sources (a bounded window).
final class FrameTimelineTests: XCTestCase {
    func testRecordedTimesAndExtrapolation() {
        var timeline = FrameTimeline(framesPerSecond: 25)
        XCTAssertEqual(timeline.seconds(ofFrame: 5), 0.2, "nothing read yet: index / fps")
        for i in 0..<10 { timeline.append(seconds: 3 + Double(i) * 0.05, ticks: Int64(3000 + 50 * i)) }
        XCTAssertEqual(timeline.count, 10)
        XCTAssertEqual(timeline.seconds(ofFrame: 0), 0, "relative to the first frame")
        XCTAssertEqual(timeline.seconds(ofFrame: 4), 0.2, accuracy: 1e-12, "the frame's own time, not index / fps")
        XCTAssertEqual(timeline.seconds(ofFrame: 12), 0.45 + 3.0 / 25, accuracy: 1e-12, "after the last: one period a frame")
        XCTAssertEqual(timeline.ticks(ofFrame: 4), 3200)
        XCTAssertNil(timeline.ticks(ofFrame: 10))
        // A frame without a timestamp follows the previous one by a period.
        timeline.append(seconds: nil, ticks: nil)
        XCTAssertEqual(timeline.seconds(ofFrame: 10), 0.45 + 0.04, accuracy: 1e-12)
        XCTAssertNil(timeline.ticks(ofFrame: 10))
    }

    func testNextInputContinuesTheAxisAndRestartsTimestamps() {
        var timeline = FrameTimeline(framesPerSecond: 25)
        for i in 0..<3 { timeline.append(seconds: Double(i) * 0.04, ticks: Int64(i)) }
        timeline.startNextInput()
        for i in 0..<2 { timeline.append(seconds: 100 + Double(i) * 0.04, ticks: Int64(9000 + i)) }
        XCTAssertEqual(timeline.seconds(ofFrame: 3), 0.08 + 0.04, accuracy: 1e-12, "one period after the first input's last frame")
        XCTAssertEqual(timeline.seconds(ofFrame: 4), 0.16, accuracy: 1e-12)
        XCTAssertNil(timeline.ticks(ofFrame: 2), "the previous input's timestamps are gone")
        XCTAssertEqual(timeline.ticks(ofFrame: 3), 9000)
        XCTAssertEqual(timeline.ticks(ofFrame: 4), 9001)
    }

    /// A live source keeps only its latest frames: memory stays bounded however long it runs, recent frames keep
    /// their exact times and timestamps, and forgotten ones are estimated from the frame rate.
    func testWindowBoundsWhatALiveSourceKeeps() {
        let window = 100
        var timeline = FrameTimeline(framesPerSecond: 25, window: window)
        var mostKept = 0
        // Real timestamps drift from index / fps (here 1 % slower), so exact and estimated times differ.
        for i in 0..<10_000 {
            timeline.append(seconds: Double(i) * 0.0404, ticks: Int64(i) * 404)
            mostKept = max(mostKept, timeline.keptFrames)
        }
        XCTAssertEqual(timeline.count, 10_000)
        XCTAssertLessThanOrEqual(mostKept, window + window / 4)
        XCTAssertGreaterThanOrEqual(timeline.keptFrames, window)
        for frame in [9_999, 9_950, 10_000 - window] {
            XCTAssertEqual(timeline.seconds(ofFrame: frame), Double(frame) * 0.0404, accuracy: 1e-9, "frame \(frame) is kept")
            XCTAssertEqual(timeline.ticks(ofFrame: frame), Int64(frame) * 404)
        }
        XCTAssertNil(timeline.ticks(ofFrame: 5_000), "forgotten")
        let oldestKept = 10_000 - timeline.keptFrames
        XCTAssertEqual(timeline.seconds(ofFrame: 5_000), Double(oldestKept) * 0.0404 - Double(oldestKept - 5_000) / 25, accuracy: 1e-9,
                       "forgotten: estimated back from the oldest kept frame")
    }
}
