import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// The `seccam-engine tune` command line: ranked table, the best setting's scan command (which must
/// reproduce the tuned events), JSON, the plot, and errors.
final class TuningCommandTests: XCTestCase {
    private let video = TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path

    private func run(_ command: String, _ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run([TestPaths.executable.path, command] + arguments)
    }

    func testRankedTableBestCommandAndPlot() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truth = dir.appendingPathComponent("truth.json")
        try Data(#"[{"start": 4, "end": 6}]"#.utf8).write(to: truth)
        let plot = dir.appendingPathComponent("best.svg").path
        let out = try run("tune", [video, "-df", "4", "--grid", "threshold=0.1,20;min-event-length=0.1s,1s",
                                   "--truth", truth.path, "--plot", plot])
        XCTAssertEqual(out.status, 0, out.stderr)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("[seccam] Tried 4 settings with 1 detector run over 250 frames") }, out.stdout)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("rank  F1") })
        XCTAssertTrue(lines[header + 1].hasPrefix("   1  1.000  1.000 (1/1)  1.000 (1/1)"), lines[header + 1])
        XCTAssertTrue(lines[header + 4].hasPrefix("   4  0.000"), "threshold 20 finds nothing: last")
        let best = try XCTUnwrap(lines.first { $0.hasPrefix("seccam-engine scan ") })
        XCTAssertTrue(best.hasPrefix("seccam-engine scan \(video) -so -df 4 -t 0.1 -l "), best)
        XCTAssertTrue(try String(contentsOfFile: plot, encoding: .utf8).contains(#"<rect class="event""#))

        // The printed command, run as a scan, gives the events tune reported for that setting.
        let words = best.split(separator: " ").map(String.init)
        let scan = try run("scan", Array(words.dropFirst(2)) + ["--json"])
        XCTAssertEqual(scan.status, 0, scan.stderr)
        let scanned = try JSONDecoder().decode(ScanResult.self, from: Data(scan.stdout.utf8))
        let json = try run("tune", [video, "-df", "4", "--grid", "threshold=0.1,20;min-event-length=0.1s,1s",
                                    "--truth", truth.path, "--json", "--top", "1"])
        let tuned = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let settings = try XCTUnwrap(tuned["settings"] as? [[String: Any]])
        XCTAssertEqual(settings.count, 1)
        XCTAssertEqual(settings[0]["scanCommand"] as? String, best)
        let events = try XCTUnwrap(settings[0]["events"] as? [[String: Any]])
        XCTAssertEqual(events.map { [$0["startFrame"] as? Int, $0["endFrame"] as? Int] },
                       scanned.events.map { [$0.startFrame, $0.endFrame] })
    }

    func testWithoutTruthListsSettingsInGridOrder() throws {
        let out = try run("tune", [video, "-df", "4", "-st", "3s", "--grid", "threshold=0.1,20"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("No --truth given: settings in grid order"), out.stdout)
        XCTAssertTrue(out.stdout.contains("1       1       5.0 s  threshold=0.1\n"), out.stdout)
        XCTAssertTrue(out.stdout.contains("2       0       0.0 s  threshold=20\n"), out.stdout)
        XCTAssertFalse(out.stdout.contains("seccam-engine scan"))
    }

    func testErrors() throws {
        let badGrid = try run("tune", [video, "--grid", "threshold=0.5:0.1:0.1"])
        XCTAssertNotEqual(badGrid.status, 0)
        XCTAssertTrue(badGrid.stderr.contains("grid: key 'threshold': range '0.5:0.1:0.1': stop 0.1 is less than start 0.5"), badGrid.stderr)
        let png = try run("tune", [video, "--grid", "threshold=0.1", "--plot", "out.png"])
        XCTAssertNotEqual(png.status, 0)
        XCTAssertTrue(png.stderr.contains("SVG only (PNG is not supported); use a file name ending in .svg"), png.stderr)
        let labels = try run("tune", [video, "--grid", "threshold=0.1", "--truth", "/nonexistent/truth.json"])
        XCTAssertEqual(labels.status, 1)
        XCTAssertTrue(labels.stderr.contains("/nonexistent/truth.json: cannot read label file"), labels.stderr)
        let base = try run("tune", [video, "--grid", "threshold=0.1", "-k", "4"])
        XCTAssertNotEqual(base.status, 0)
        XCTAssertTrue(base.stderr.contains("-k/--kernel-size"), base.stderr)
    }
}
