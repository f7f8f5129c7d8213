import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `TuneSession` decodes once yet gives every setting exactly the events of a separate `ScanSession`.
final class TuningSessionTests: XCTestCase {
    private let movingBox = [SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path)]

    /// The scan's events without the fields tuning does not track (box and regions need masks).
    private final class Records { var frames: [FrameRecord] = [] }

    private func scanEvents(_ options: ScanOptions, records: Records? = nil) throws -> [ScannedEvent] {
        let result = try ScanSession(inputs: movingBox, options: options).run(onFrame: records.map { r in { r.frames.append($0) } })
        return result.events.map {
            var e = $0
            e.boundingBox = nil
            e.triggeredRegions = []
            return e
        }
    }

    private func assertSameAsScans(_ result: TuneResult, file: StaticString = #filePath, line: UInt = #line) throws {
        for outcome in result.outcomes {
            XCTAssertEqual(outcome.events, try scanEvents(outcome.options), "setting \(outcome.setting)", file: file, line: line)
        }
    }

    func testEverySettingMatchesASeparateScan() throws {
        var base = ScanOptions()
        base.detector.downscaleFactor = 4  // keeps debug-build detector runs short
        let grid = try TuningGrid(parsing: "threshold=0.1,3;kernel-size=0,3;frame-skip=0,3")
        let labels = [LabelledInterval(start: 4, end: 6)]
        let result = try TuneSession(inputs: movingBox, base: base, settings: grid.settings, labels: labels).run()
        XCTAssertEqual(result.outcomes.count, 8)
        XCTAssertEqual(result.tracks.count, 4, "threshold must not need its own detector run")
        XCTAssertEqual(result.framesRead, 250, "decoded once")
        XCTAssertEqual(result.outcomes.map(\.index), Array(0..<8))
        try assertSameAsScans(result)
        // The grid is not trivial: some settings find the box, some (threshold 3 with kernel 3) find less.
        XCTAssertGreaterThan(Set(result.outcomes.map { $0.events.map(\.startFrame) }).count, 1)
        XCTAssertTrue(result.outcomes.contains { $0.metrics.f1 == 1 })

        // Recorded scores are exactly the scan's per-frame scores, at the scan's frame indices.
        let skipping = try XCTUnwrap(result.outcomes.first { $0.options.frameSkip == 3 && $0.options.detector.kernelSize == 3 })
        let records = Records()
        _ = try scanEvents(skipping.options, records: records)
        let points = result.tracks[skipping.track].points
        XCTAssertEqual(points.map(\.frame), records.frames.map(\.frame))
        XCTAssertEqual(points.map(\.score), records.frames.map(\.score.score))

        // Ranked: best F1 first, and the ranking is a permutation of the outcomes.
        let ranked = result.ranked
        XCTAssertEqual(Set(ranked.map(\.index)), Set(0..<8))
        XCTAssertEqual(ranked.first?.metrics.f1, 1)
        for (a, b) in zip(ranked, ranked.dropFirst()) {
            XCTAssertFalse(TuningMetrics.isBetter(b.metrics, than: a.metrics), "\(b.setting) ranked below \(a.setting)")
        }
    }

    /// -st/-et with frame skips that do not divide the scanned span: scan processes a frame past -et and
    /// closes the open event at its own stop position, which differs per frame skip.
    func testStartEndAndFrameSkipMatchScan() throws {
        // -et 101: just after the box appears (frame 100), so a group that processed frames past its own stop
        // would start events the scan never sees; -et 153: inside the box's post-roll (it leaves at frame 150).
        for end in [101, 153] {
            var base = ScanOptions()
            base.detector.downscaleFactor = 4
            base.startTime = .frames(10)
            base.endTime = .frames(end)
            let grid = try TuningGrid(parsing: "frame-skip=0,3,4;time-post-event=0.5s,0")
            let result = try TuneSession(inputs: movingBox, base: base, settings: grid.settings).run()
            XCTAssertEqual(result.tracks.count, 3)
            try assertSameAsScans(result)
            XCTAssertNil(result.outcomes[0].metrics.f1, "no labels: counts only")
            if end == 153 { XCTAssertTrue(result.outcomes.allSatisfy { !$0.events.isEmpty }) }
            if end == 101 { XCTAssertTrue(result.outcomes.contains { !$0.events.isEmpty }) }
        }
    }

    /// With a zone that has its own threshold, the detector decides "above", so thresholds need their own runs.
    func testZoneThresholdsJoinTheDetectorKey() throws {
        var base = ScanOptions()
        base.detector.downscaleFactor = 4
        base.detector.regions = [Region(name: "left", points: [PolygonPoint(x: 0, y: 0), PolygonPoint(x: 200, y: 0),
                                                               PolygonPoint(x: 200, y: 240), PolygonPoint(x: 0, y: 240)], threshold: 0.5),
                                 .rectangle(x: 150, y: 0, width: 170, height: 240)]
        let grid = try TuningGrid(parsing: "threshold=0.1,50")
        let result = try TuneSession(inputs: movingBox, base: base, settings: grid.settings).run()
        XCTAssertEqual(result.tracks.count, 2)
        try assertSameAsScans(result)
    }

    func testInvalidCombinationNamesTheSetting() throws {
        var base = ScanOptions()
        base.detector.downscaleFactor = 4
        let grid = try TuningGrid(parsing: "threshold=0.1")
        base.frameSkip = -1
        XCTAssertThrowsError(try TuneSession(inputs: movingBox, base: base, settings: grid.settings).run()) { error in
            XCTAssertTrue("\(error)".contains("frame-skip: must be 0 or more, got -1 (setting threshold=0.1)"), "\(error)")
        }
    }
}
