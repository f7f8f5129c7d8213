import SeccamMotion
import XCTest

final class EventTrackerTests: XCTestCase {
    /// Feeds `scores` for frames `first, first+S+1, …`; returns the events and the start reports.
    private func run(_ tracker: inout EventTracker, scores: [Double], frameSkip: Int = 0, firstFrame: Int? = nil,
                     position: Int? = nil) -> (events: [MotionEvent], starts: [Int]) {
        var events: [MotionEvent] = []
        var starts: [Int] = []
        var frame = firstFrame ?? frameSkip
        for score in scores {
            switch tracker.observe(frame: frame, score: score) {
            case .started(let start): starts.append(start)
            case .ended(let event): events.append(event)
            case nil: break
            }
            frame += frameSkip + 1
        }
        if let event = tracker.finish(position: position ?? frame - frameSkip) {
            events.append(event)
        }
        return (events, starts)
    }

    private func defaults(fps: Double, frameSkip: Int = 0, startFrame: Int = 0, post: String = "2.0s") throws -> EventTracker {
        EventTracker(threshold: 0.15, minEventLength: try TimeSpec.parse("0.1s").frames(fps: fps),
                     timeBeforeEvent: try TimeSpec.parse("1.5s").frames(fps: fps),
                     timePostEvent: try TimeSpec.parse(post).frames(fps: fps),
                     frameSkip: frameSkip, startFrame: startFrame)
    }

    /// DVR-SCAN.md §7: 200 frames at 25 fps, frame 0 zeroed, motion throughout -> 00:00:00.080–00:00:08.000.
    func testWorkedExample() throws {
        var tracker = try defaults(fps: 25)
        XCTAssertEqual(tracker.minimumFrames, 2)
        XCTAssertEqual(tracker.postFrames, 50)
        let (events, starts) = run(&tracker, scores: [0] + Array(repeating: 9.0, count: 199))
        XCTAssertEqual(starts, [2])
        XCTAssertEqual(events, [MotionEvent(start: 2, end: 200)])
        XCTAssertEqual(Timecode.format(frames: 2, fps: 25, precision: 3), "00:00:00.080")
    }

    func testFirstFrameStaysInTheWindowAndSinceCanBeNegative() {
        // The first frame's score still enters the M-window: with M = 1 it triggers at frame 0, and
        // since = 0 - 1 = -1 gives start = max(1, 0 + 1 + 1) = 2.
        var tracker = EventTracker(threshold: 1, minEventLength: 1, timeBeforeEvent: 10, timePostEvent: 5,
                                   frameSkip: 0, startFrame: 0)
        XCTAssertEqual(tracker.observe(frame: 0, score: 5), .started(start: 2))
        XCTAssertTrue(tracker.inEvent)
    }

    func testCloseEventStartsAtPreviousEndPlusOne() {
        // M=1, tb=10, tp=5: above 1...3, quiet 4...8 -> ends at frame 8 with end = 1+3+5 = 9.
        // Frame 10 triggers: since = 1 < shiftMax 11, so start = prevEnd + 1 = 10; frame 9 is in no event.
        var tracker = EventTracker(threshold: 1, minEventLength: 1, timeBeforeEvent: 10, timePostEvent: 5,
                                   frameSkip: 0, startFrame: 0)
        let scores: [Double] = [0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]
        let (events, starts) = run(&tracker, scores: scores)
        XCTAssertEqual(starts, [2, 10])
        XCTAssertEqual(events, [MotionEvent(start: 2, end: 9), MotionEvent(start: 10, end: 16)])
    }

    func testNoPostTimeAtEndOfInput() {
        var tracker = EventTracker(threshold: 1, minEventLength: 1, timeBeforeEvent: 0, timePostEvent: 50,
                                   frameSkip: 0, startFrame: 0)
        let (events, _) = run(&tracker, scores: [0, 0, 0, 0, 0, 3, 3, 0, 0], position: 9)
        XCTAssertEqual(events, [MotionEvent(start: 5, end: 9)])   // not 1 + 6 + 50
    }

    func testFrameSkip() throws {
        // S=2 at 25 fps: M = max(2/3, 1) = 1, P = 50/3 = 16, shiftMax = 38 + 3 = 41; frames 2, 5, 8, …
        var tracker = try defaults(fps: 25, frameSkip: 2)
        XCTAssertEqual(tracker.minimumFrames, 1)
        XCTAssertEqual(tracker.postFrames, 16)
        var scores = [Double](repeating: 0, count: 120)
        for k in 1...16 { scores[k] = 5 }    // frames 5...50
        scores[100] = 5                      // frame 302
        let (events, starts) = run(&tracker, scores: scores, frameSkip: 2)
        // Trigger at 5: since = 4 -> start 2. Ends after 16 quiet frames: end = 1 + 50 + 50 + 2 = 103.
        // Trigger at 302: since = 199 > 41 -> start = 302 + 1 - 41 = 262 (window start - S - tb).
        XCTAssertEqual(starts, [2, 262])
        XCTAssertEqual(events, [MotionEvent(start: 2, end: 103), MotionEvent(start: 262, end: 1 + 302 + 50 + 2)])
    }

    func testZeroPostFramesEndsAtFirstQuietFrame() throws {
        var tracker = try defaults(fps: 25, post: "0")
        XCTAssertEqual(tracker.postFrames, 0)
        let (events, _) = run(&tracker, scores: [0, 1, 1, 1, 0, 0, 1, 1, 0])
        // Trigger at 2 (start 2); quiet at 4 ends it: end = 1 + 3 + 0 + 0 = 4. Next trigger at 7: start = 5.
        XCTAssertEqual(events, [MotionEvent(start: 2, end: 4), MotionEvent(start: 5, end: 8)])
    }

    func testSeekSetsTheEarliestStart() throws {
        var tracker = try defaults(fps: 25, startFrame: 100)
        let (events, starts) = run(&tracker, scores: [0, 1, 1, 1], firstFrame: 100, position: 104)
        XCTAssertEqual(starts, [101])    // max(100, 102 + 1 - min(2, 40)): prevEnd + 1 again
        XCTAssertEqual(events, [MotionEvent(start: 101, end: 104)])
    }

    func testExplicitAboveOverridesThreshold() {
        var tracker = EventTracker(threshold: 100, minEventLength: 1, timeBeforeEvent: 0, timePostEvent: 0,
                                   frameSkip: 0, startFrame: 0)
        XCTAssertNil(tracker.observe(frame: 0, score: 500, above: false))
        XCTAssertEqual(tracker.observe(frame: 1, score: 0, above: true), .started(start: 2))
        // P = 0: the first quiet frame ends it, end = 1 + 1 + 0 + 0.
        XCTAssertEqual(tracker.observe(frame: 2, score: 500, above: false), .ended(MotionEvent(start: 2, end: 2)))
    }
}
