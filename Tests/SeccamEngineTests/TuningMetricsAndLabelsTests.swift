import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// Event-overlap precision/recall/F1 on hand-made intervals, the ranking order, and label files.
final class TuningMetricsAndLabelsTests: XCTestCase {
    private let labels = [LabelledInterval(start: 2, end: 4), LabelledInterval(start: 10, end: 12), LabelledInterval(start: 20, end: 21)]

    func testOverlapMetrics() throws {
        // Event 1 overlaps label 1; event 2 overlaps nothing; event 3 spans labels 2 and 3.
        let m = TuningMetrics(events: [(1, 2.5), (5, 9), (11, 20.5)], labels: labels)
        XCTAssertEqual(m.events, 3)
        XCTAssertEqual(m.eventSeconds, 1.5 + 4 + 9.5, accuracy: 1e-12)
        XCTAssertEqual(m.matchedEvents, 2)
        XCTAssertEqual(m.foundLabels, 3)
        XCTAssertEqual(try XCTUnwrap(m.precision), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(m.recall), 1)
        XCTAssertEqual(try XCTUnwrap(m.f1), 2 * (2.0 / 3) / (2.0 / 3 + 1), accuracy: 1e-12)
    }

    func testTouchingIntervalsDoNotOverlap() {
        let m = TuningMetrics(events: [(0, 2), (4, 10)], labels: labels)
        XCTAssertEqual(m.matchedEvents, 0)
        XCTAssertEqual(m.foundLabels, 0)
        XCTAssertEqual(m.f1, 0)
    }

    func testUndefinedCasesAreZero() {
        let none = TuningMetrics(events: [], labels: labels)
        XCTAssertEqual(none.precision, 0, "no events: precision 0")
        XCTAssertEqual(none.recall, 0)
        XCTAssertEqual(none.f1, 0, "P + R = 0: F1 0")
        let noLabels = TuningMetrics(events: [(1, 2)], labels: [])
        XCTAssertEqual(noLabels.recall, 0, "no labels: recall 0")
        XCTAssertEqual(noLabels.precision, 0)
        let counts = TuningMetrics(events: [(1, 2), (3, 5)], labels: nil)
        XCTAssertEqual(counts.events, 2)
        XCTAssertEqual(counts.eventSeconds, 3)
        XCTAssertNil(counts.f1)
        XCTAssertNil(counts.precision)
    }

    func testRankingPrefersF1ThenPrecisionThenFewerEvents() {
        let perfect = TuningMetrics(events: [(2, 4), (10, 12), (20, 21)], labels: labels)
        let merged = TuningMetrics(events: [(1, 22)], labels: labels)  // P 1, R 1, one event
        let noisy = TuningMetrics(events: [(2, 4), (10, 12), (20, 21), (30, 31)], labels: labels)
        let partial = TuningMetrics(events: [(2, 4)], labels: labels)
        XCTAssertEqual(perfect.f1, 1)
        XCTAssertEqual(merged.f1, 1)
        XCTAssertTrue(TuningMetrics.isBetter(merged, than: perfect), "same F1 and precision: fewer events wins")
        XCTAssertTrue(TuningMetrics.isBetter(perfect, than: noisy))
        XCTAssertTrue(TuningMetrics.isBetter(noisy, than: partial), "F1 0.857 beats 0.5")
        XCTAssertFalse(TuningMetrics.isBetter(perfect, than: perfect))
        // Equal F1, different precision: P=1,R=0.5 vs P=0.5,R=1 (F1 2/3 both): precision wins.
        let precise = TuningMetrics(events: [(2, 4)], labels: Array(labels.prefix(2)))
        let greedy = TuningMetrics(events: [(2, 4), (5, 6), (10, 12), (13, 14)], labels: Array(labels.prefix(2)))
        XCTAssertEqual(try XCTUnwrap(precise.f1), try XCTUnwrap(greedy.f1), accuracy: 1e-12)
        XCTAssertTrue(TuningMetrics.isBetter(precise, than: greedy))
    }

    // MARK: - Label files

    private func parse(_ json: String) throws -> [LabelledInterval] {
        try TuningLabels.parse(Data(json.utf8), source: "t.json")
    }

    func testLabelFileForms() throws {
        let list = try parse(#"[{"start": 1.5, "end": 3}, {"start": "00:01:02.500", "end": "64s", "note": "car"}, {"start": "70", "end": "70.25"}]"#)
        XCTAssertEqual(list, [LabelledInterval(start: 1.5, end: 3), LabelledInterval(start: 62.5, end: 64, note: "car"),
                              LabelledInterval(start: 70, end: 70.25)])
        let wrapped = try parse(#"{"video": "x.mp4", "labels": [{"start": 0, "end": 1}]}"#)
        XCTAssertEqual(wrapped, [LabelledInterval(start: 0, end: 1)])
        XCTAssertEqual(try parse("[]"), [])
    }

    private func assertLabelError(_ json: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let labels = try parse(json)
            XCTFail("parsed to \(labels)", file: file, line: line)
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("t.json"), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testLabelErrorsNameFileIndexAndField() {
        assertLabelError("[{", "not valid JSON")
        assertLabelError(#"{"start": 1}"#, "expected a list")
        assertLabelError("5", "expected a list")
        assertLabelError(#"[{"start": 1, "end": 2}, 7]"#, "labels[1]: expected an object")
        assertLabelError(#"[{"start": 1}]"#, #"labels[0]: missing "end""#)
        assertLabelError(#"[{"start": 0, "end": 1}, {"start": "soon", "end": 2}]"#, #"labels[1].start: cannot read "soon""#)
        assertLabelError(#"[{"start": true, "end": 2}]"#, "labels[0].start: expected seconds (a number) or a time string, got true/false")
        assertLabelError(#"[{"start": 5, "end": "00:00:04"}]"#, "labels[0].end: 4.0 s is not after start 5.0 s")
        assertLabelError(#"[{"start": -1, "end": 2}]"#, "labels[0].start: must be 0 or more")
        assertLabelError(#"[{"start": 1, "end": 2, "note": 3}]"#, "labels[0].note: expected a string")
        XCTAssertThrowsError(try TuningLabels.load(path: "/nonexistent/labels.json")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/labels.json: cannot read label file"), "\(error)")
        }
    }

    func testCommittedLabelFilesLoad() throws {
        let dir = TestPaths.fixtures.appendingPathComponent("labels")
        let people = try TuningLabels.load(path: dir.appendingPathComponent("intel_one-by-one-person-detection.json").path)
        XCTAssertEqual(people.count, 6)
        let cars = try TuningLabels.load(path: dir.appendingPathComponent("dvrscan_traffic_camera_roi.json").path)
        XCTAssertEqual(cars.count, 8)
        for list in [people, cars] {
            XCTAssertEqual(list.map(\.start), list.map(\.start).sorted())
            XCTAssertTrue(zip(list, list.dropFirst()).allSatisfy { $0.end <= $1.start }, "labels must not overlap")
        }
    }
}
