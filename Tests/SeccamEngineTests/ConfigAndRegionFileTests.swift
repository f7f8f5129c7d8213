import SeccamEngine
import XCTest

final class ConfigAndRegionFileTests: XCTestCase {
    /// dvr-scan's deprecated `region-of-interest` key is the -roi rectangle (commas, slashes, parentheses ignored).
    func testRegionOfInterestKey() throws {
        var options = ScanOptions()
        try DvrScanConfigFile(text: "region-of-interest = (631,532)/(210,127)\n", path: "roi.cfg").apply(to: &options)
        XCTAssertEqual(options.detector.regions, [.rectangle(x: 631, y: 532, width: 210, height: 127)])
        for bad in ["631 532 210", "631 532 -1 127", "a b c d"] {
            var o = ScanOptions()
            XCTAssertThrowsError(try DvrScanConfigFile(text: "region-of-interest = \(bad)\n", path: "bad.cfg").apply(to: &o)) {
                XCTAssertTrue("\($0)".contains("config key 'region-of-interest': expected a rectangle"), "\($0)")
            }
        }
    }

    /// Keys whose dvr-scan behaviour we do not reproduce are refused rather than silently ignored; `use-pts` turns
    /// on PTS mode.
    func testUnreproducedModesAreRefusedAndUsePTSApplies() throws {
        var options = ScanOptions()
        XCTAssertNoThrow(try DvrScanConfigFile(text: "use-pts = no\ninput-mode = OpenCV\n", path: "ok.cfg").apply(to: &options))
        XCTAssertFalse(options.usePresentationTimes)
        try DvrScanConfigFile(text: "use-pts = yes\n", path: "p.cfg").apply(to: &options)
        XCTAssertTrue(options.usePresentationTimes)
        XCTAssertThrowsError(try DvrScanConfigFile(text: "use-pts = maybe\n", path: "p.cfg").apply(to: &options)) {
            XCTAssertTrue("\($0)".contains("config key 'use-pts'"), "\($0)")
        }
        XCTAssertThrowsError(try DvrScanConfigFile(text: "input-mode = pyav\n", path: "m.cfg").apply(to: &options)) {
            XCTAssertTrue("\($0)".contains("config key 'input-mode'") && "\($0)".contains("'pyav'"), "\($0)")
        }
    }

    func testConfigFileKeysAndErrors() throws {
        let file = try DvrScanConfigFile(text: "; c\n threshold = 0.3\nkernel-size=5\ntime-post-event = 1.5\nbg-subtractor = cnt\nmax-area = 0.5\n", path: "a.cfg")
        var options = ScanOptions()
        try file.apply(to: &options)
        XCTAssertEqual(options.detector.threshold, 0.3)
        XCTAssertEqual(options.detector.kernelSize, 5)
        XCTAssertEqual(options.timePostEvent, .seconds(1.5))
        XCTAssertEqual(options.detector.subtractor, .cnt)
        XCTAssertEqual(options.detector.maxArea, 0.5)
        XCTAssertThrowsError(try DvrScanConfigFile(text: "[section]\n", path: "b.cfg")) { XCTAssertTrue("\($0)".contains("b.cfg:1")) }
        XCTAssertThrowsError(try DvrScanConfigFile(text: "x\n", path: "c.cfg")) { XCTAssertTrue("\($0)".contains("key = value")) }
        XCTAssertThrowsError(try DvrScanConfigFile(text: "threshold = 0.1\nbogus = 2\n", path: "d.cfg")) {
            XCTAssertTrue("\($0)".contains("d.cfg:2: unknown config key 'bogus'"))
        }
        var o = ScanOptions()
        XCTAssertThrowsError(try DvrScanConfigFile(text: "threshold = high\n", path: "e.cfg").apply(to: &o)) {
            XCTAssertTrue("\($0)".contains("'threshold'"))
        }
    }

    func testRegionFileSyntax() throws {
        let regions = try RegionFile.parse("[(10, 20), (30, 40), (50, 60)]\n\n1 2 3 4 5 6 7 8\n", source: "r.txt")
        XCTAssertEqual(regions.map(\.points.count), [3, 4])
        XCTAssertEqual(regions[0].points[1], PolygonPoint(x: 30, y: 40))
        XCTAssertThrowsError(try RegionFile.parse("1 2 3 4\n", source: "r.txt")) { XCTAssertTrue("\($0)".contains("at least 3 points")) }
        XCTAssertThrowsError(try RegionFile.parse("1 2 3 4 5\n", source: "r.txt")) { XCTAssertTrue("\($0)".contains("x y pairs")) }
        XCTAssertThrowsError(try RegionFile.parse("1 2 3 4 5 -6\n", source: "r.txt")) { XCTAssertTrue("\($0)".contains("non-negative")) }
    }
}
