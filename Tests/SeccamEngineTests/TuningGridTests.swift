import SeccamEngine
import XCTest

/// `--grid` parsing: decimal-exact ranges, every key, and a clear message for each kind of mistake.
final class TuningGridTests: XCTestCase {
    private func texts(_ grid: TuningGrid, _ key: TuningKey) -> [String] {
        grid.axes.first { $0.key == key }?.values.map(\.text) ?? []
    }

    func testDecimalRangeGivesExactlyTheDecimalValues() throws {
        let grid = try TuningGrid(parsing: "threshold=0.05:0.5:0.05")
        XCTAssertEqual(texts(grid, .threshold), ["0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5"])
        // Each value is the double a scan would parse from the same text, so `-t 0.3` reproduces the setting.
        let thresholds = grid.settings.map { $0.applied(to: ScanOptions()).detector.threshold }
        XCTAssertEqual(thresholds, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5])
        XCTAssertEqual(try TuningGrid(parsing: "threshold=0.1:0.3:0.1").settings.count, 3, "0.1+0.1+0.1 must not drift past 0.3")
        XCTAssertEqual(texts(try TuningGrid(parsing: "threshold=1:2:0.25"), .threshold), ["1", "1.25", "1.5", "1.75", "2"])
        XCTAssertEqual(texts(try TuningGrid(parsing: "threshold=0.1:0.35:0.1"), .threshold), ["0.1", "0.2", "0.3"], "stop is inclusive only when hit")
        XCTAssertEqual(texts(try TuningGrid(parsing: "learning-rate=-1,0.001:0.003:0.001"), .learningRate), ["-1", "0.001", "0.002", "0.003"])
    }

    func testCombinationsAreTheCartesianProductFirstKeySlowest() throws {
        let grid = try TuningGrid(parsing: " threshold=0.1,0.2 ; kernel-size=0,3,5 ;min-event-length=0.1s,4 ;")
        XCTAssertEqual(grid.axes.map(\.key), [.threshold, .kernelSize, .minEventLength])
        let settings = grid.settings
        XCTAssertEqual(settings.count, 12)
        XCTAssertEqual(settings[0].description, "threshold=0.1 kernel-size=0 min-event-length=0.1s")
        XCTAssertEqual(settings[1].description, "threshold=0.1 kernel-size=0 min-event-length=4")
        XCTAssertEqual(settings[11].description, "threshold=0.2 kernel-size=5 min-event-length=4")
        let options = settings[11].applied(to: ScanOptions())
        XCTAssertEqual(options.detector.kernelSize, 5)
        XCTAssertEqual(options.minEventLength, .frames(4))
        XCTAssertEqual(settings[11].scanArguments, ["-t", "0.2", "-k", "5", "-l", "4"])
    }

    func testEveryKeyParsesAndApplies() throws {
        let grid = try TuningGrid(parsing: """
            threshold=0.2;kernel-size=7;downscale-factor=2;min-event-length=00:00:00.5;time-before-event=1s;\
            time-post-event=0.5s;frame-skip=1;bg-subtractor=cnt;variance-threshold=8;learning-rate=0.01;\
            max-threshold=100;max-area=0.5
            """)
        XCTAssertEqual(grid.axes.count, TuningKey.allCases.count)
        let setting = try XCTUnwrap(grid.settings.first)
        let o = setting.applied(to: ScanOptions())
        XCTAssertEqual(o.detector.threshold, 0.2)
        XCTAssertEqual(o.detector.kernelSize, 7)
        XCTAssertEqual(o.detector.downscaleFactor, 2)
        XCTAssertEqual(o.minEventLength, .seconds(0.5))
        XCTAssertEqual(o.timeBeforeEvent, .seconds(1))
        XCTAssertEqual(o.timePostEvent, .seconds(0.5))
        XCTAssertEqual(o.frameSkip, 1)
        XCTAssertEqual(o.detector.subtractor, .cnt)
        XCTAssertEqual(o.detector.varianceThreshold, 8)
        XCTAssertEqual(o.detector.learningRate, 0.01)
        XCTAssertEqual(o.detector.maxThreshold, 100)
        XCTAssertEqual(o.detector.maxArea, 0.5)
        XCTAssertEqual(setting[.bgSubtractor]?.text, "CNT")
        XCTAssertEqual(setting.configOnlyLines, ["variance-threshold = 8", "learning-rate = 0.01", "max-threshold = 100", "max-area = 0.5"])
        XCTAssertFalse(setting.scanArguments.contains("8"))
    }

    func testTimeRangesInSecondsAndIntegerRanges() throws {
        XCTAssertEqual(texts(try TuningGrid(parsing: "time-post-event=0.5s:2s:0.5s"), .timePostEvent), ["0.5s", "1s", "1.5s", "2s"])
        XCTAssertEqual(texts(try TuningGrid(parsing: "kernel-size=3:9:2"), .kernelSize), ["3", "5", "7", "9"])
        XCTAssertEqual(texts(try TuningGrid(parsing: "frame-skip=0:4:2,1"), .frameSkip), ["0", "2", "4", "1"])
        XCTAssertEqual(texts(try TuningGrid(parsing: "threshold=0.1,0.1,0.2"), .threshold), ["0.1", "0.2"], "duplicates are dropped")
    }

    func testScoreKeysAreSeparatedFromEventKeys() {
        XCTAssertEqual(TuningKey.allCases.filter { !$0.affectsScores },
                       [.threshold, .minEventLength, .timeBeforeEvent, .timePostEvent])
    }

    private func assertGridError(_ grid: String, key: String?, contains fragment: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        do {
            let parsed = try TuningGrid(parsing: grid)
            XCTFail("'\(grid)' parsed to \(parsed.settings.count) settings", file: file, line: line)
        } catch {
            XCTAssertEqual(error.key, key, "\(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            if let key { XCTAssertTrue(error.description.contains("'\(key)'"), "\(error)", file: file, line: line) }
        }
    }

    func testBadGridsNameTheKeyAndTheProblem() {
        assertGridError("", key: nil, contains: "the grid is empty")
        assertGridError("threshold", key: nil, contains: "expected KEY=VALUES")
        assertGridError("treshold=0.1", key: nil, contains: "unknown key 'treshold'")
        assertGridError("threshold=", key: "threshold", contains: "empty list of values")
        assertGridError("threshold=0.1,,0.2", key: "threshold", contains: "empty value")
        assertGridError("threshold=0.1:0.5:0", key: "threshold", contains: "step must be > 0")
        assertGridError("threshold=0.1:0.5:-0.1", key: "threshold", contains: "step must be > 0")
        assertGridError("threshold=0.5:0.1:0.1", key: "threshold", contains: "stop 0.1 is less than start 0.5")
        assertGridError("threshold=0.1:0.5", key: "threshold", contains: "expected START:STOP:STEP")
        assertGridError("threshold=0.1:x:0.1", key: "threshold", contains: "bad stop 'x'")
        assertGridError("threshold=abc", key: "threshold", contains: "bad value 'abc'")
        assertGridError("threshold=-0.1", key: "threshold", contains: "must be >= 0")
        assertGridError("kernel-size=4", key: "kernel-size", contains: "odd number >= 3")
        assertGridError("kernel-size=2.5", key: "kernel-size", contains: "expected a whole number")
        assertGridError("kernel-size=3:7:1.5", key: "kernel-size", contains: "expected a whole number")
        assertGridError("frame-skip=-1", key: "frame-skip", contains: "must be 0 or more")
        assertGridError("bg-subtractor=KNN", key: "bg-subtractor", contains: "expected MOG2 or CNT")
        assertGridError("bg-subtractor=MOG2:CNT:1", key: "bg-subtractor", contains: "ranges are not possible")
        assertGridError("min-event-length=fast", key: "min-event-length", contains: "bad value 'fast'")
        assertGridError("min-event-length=0.1s:1:0.1s", key: "min-event-length", contains: "every bound in seconds")
        assertGridError("threshold=0.1;threshold=0.2", key: "threshold", contains: "given twice")
        assertGridError("threshold=0:100:0.01", key: "threshold", contains: "more than the limit of 2000")
        assertGridError("threshold=0.001:0.5:0.001;kernel-size=0,3,5,7,9", key: nil,
                        contains: "2500 combinations (500 threshold × 5 kernel-size) is more than the limit of 2000")
    }
}
