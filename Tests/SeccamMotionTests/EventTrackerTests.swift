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
    // MARK: - PTS mode (dvr-scan --use-pts, DVR-SCAN.md §4.6)

    /// Feeds `above` (1 = motion) for frames 0, 1, … at times `milliseconds(frame)`; returns events and start reports.
    private func runPTS(_ tracker: inout EventTracker, above: [Int], milliseconds: (Int) -> Double,
                        position: Int? = nil) -> (events: [MotionEvent], starts: [Int]) {
        var events: [MotionEvent] = []
        var starts: [Int] = []
        for (frame, a) in above.enumerated() {
            switch tracker.observe(frame: frame, score: a == 1 ? 1 : 0, milliseconds: milliseconds(frame)) {
            case .started(let start): starts.append(start)
            case .ended(let event): events.append(event)
            case nil: break
            }
        }
        if let event = tracker.finish(position: position ?? above.count) { events.append(event) }
        return (events, starts)
    }

    private func ptsTracker(fps: Double) -> EventTracker {
        EventTracker(threshold: 0.5, minEventLength: 2, timeBeforeEvent: 3, timePostEvent: 5, frameSkip: 0, startFrame: 0,
                     ptsFramesPerSecond: fps)
    }

    /// Motion in frames 10-20 of a 25 fps video with exact timestamps (-l 2, -tb 3, -tp 5 frames). By hand:
    /// the event triggers at frame 11 (440 ms); the pre-roll is min(440 - 1/25 s, (3 + 2)/25 s) = 200 ms, so it
    /// starts at round(0.240 * 25) = 6; it ends at round((0.800 + 5/25) * 25) = 25. The default mode gives 7 and 26:
    /// PTS mode is one frame earlier at both ends, as DVR-SCAN.md reports for a CFR clip.
    func testPTSModeIsOneFrameEarlierThanFrameCountsOnAConstantRateVideo() {
        let above = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 11) + Array(repeating: 0, count: 20)
        var pts = ptsTracker(fps: 25)
        let timed = runPTS(&pts, above: above, milliseconds: { Double($0) * 40 })
        XCTAssertEqual(timed.starts, [6])
        XCTAssertEqual(timed.events, [MotionEvent(start: 6, end: 25)])

        var frames = EventTracker(threshold: 0.5, minEventLength: 2, timeBeforeEvent: 3, timePostEvent: 5, frameSkip: 0, startFrame: 0)
        var counted: [MotionEvent] = []
        for (frame, a) in above.enumerated() {
            if case .ended(let e) = frames.observe(frame: frame, score: Double(a)) { counted.append(e) }
        }
        XCTAssertEqual(counted, [MotionEvent(start: 7, end: 26)])
    }

    /// Times are snapped to the frame grid with Python's round (ties to even) before any arithmetic: at 25 fps,
    /// 20 ms is frame 0.5 -> 0 and 60 ms is 1.5 -> 2. Here every frame is stamped 20 ms late: frame 11 at 460 ms
    /// snaps to 11.5 -> 12 (480 ms), so the start is round((480 - 200) / 40) = 7; the last motion frame 20 at 820 ms
    /// snaps to 20.5 -> 20 (800 ms) and the end is 25.
    func testPTSModeSnapsTimesToTheFrameGridTiesToEven() {
        let above = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 11) + Array(repeating: 0, count: 20)
        var tracker = ptsTracker(fps: 25)
        let result = runPTS(&tracker, above: above, milliseconds: { Double($0) * 40 + 20 })
        XCTAssertEqual(result.events, [MotionEvent(start: 7, end: 25)])
    }

    /// The times come from the timestamps, not the frame numbers: on a video whose frames are 80 ms apart but
    /// declared 25 fps, frame 11 is at 880 ms (grid frame 22), so the event starts at round((880 - 200) / 40) = 17
    /// and ends at round((1600 + 200) / 40) = 45, far from the frame-count answer (7-26).
    func testPTSModeFollowsTheTimestampsNotTheFrameCount() {
        let above = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 11) + Array(repeating: 0, count: 20)
        var tracker = ptsTracker(fps: 25)
        let result = runPTS(&tracker, above: above, milliseconds: { Double($0) * 80 })
        XCTAssertEqual(result.events, [MotionEvent(start: 17, end: 45)])
    }

    /// At the end of the input an open event ends at the last frame's (snapped) time, not at the frame count; a
    /// `-st` seek's frame time bounds the start.
    func testPTSModeEndOfInputAndSeekStart() {
        let above = Array(repeating: 0, count: 3) + Array(repeating: 1, count: 7)
        var tracker = ptsTracker(fps: 25)
        tracker.ptsStartMilliseconds = 60
        // Frame 4 triggers at 160 ms: 160 - 200 < 60, so the start is the seek frame's time, round(1.5) = 2.
        let result = runPTS(&tracker, above: above, milliseconds: { Double($0) * 40 }, position: 1000)
        XCTAssertEqual(result.starts, [2])
        XCTAssertEqual(result.events, [MotionEvent(start: 2, end: 9)])
    }
    /// A stream with absurd timestamps (huge, infinite or NaN milliseconds) gives some event times, never a trap.
    func testPTSModeSurvivesAbsurdTimestamps() {
        for bad in [Double.infinity, -Double.infinity, Double.nan, 1e300, -1e300] {
            var tracker = ptsTracker(fps: 25)
            let result = runPTS(&tracker, above: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0], milliseconds: { $0 == 2 ? bad : Double($0) * 40 })
            XCTAssertEqual(result.events.count, 1, "\(bad)")
        }
    }
}
