import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SeccamEngine
import SeccamTestSupport
import XCTest

/// The SVG score plot: a well-formed document with the score path, the threshold line, event and label spans.
final class PlotTests: XCTestCase {
    private func plot(scale: ScorePlot.Scale = .automatic, title: String = "clip <1> & \"2\"") -> ScorePlot {
        let scores = (0..<250).map { (frame: $0, score: (100..<150).contains($0) ? 5.0 : 0.01) }
        return ScorePlot(title: title, fps: 25, scores: scores, threshold: 0.15,
                         events: [(start: 2.48, end: 8.0)], labels: [(start: 4.0, end: 6.0), (start: 9, end: 9.5)], scale: scale)
    }

    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testSVGStructure() throws {
        let svg = plot().svg()
        XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(count(#"<path class="score" d="M"#, in: svg), 1)
        XCTAssertEqual(count(#"<line class="threshold""#, in: svg), 1)
        XCTAssertEqual(count(#"<rect class="event""#, in: svg), 1)
        XCTAssertEqual(count(#"<rect class="label""#, in: svg), 2)
        XCTAssertTrue(svg.contains("clip &lt;1&gt; &amp; &quot;2&quot;"), "title is escaped")
        XCTAssertTrue(svg.contains("threshold 0.15"))
        XCTAssertTrue(svg.contains(">time (s)<"))
        // Well-formed XML (Foundation's parser fails on unbalanced or unescaped markup).
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    }

    func testGeometry() throws {
        let svg = plot(scale: .linear).svg()
        // 1200 wide, plot area x 70…1180 for 0…10 s: the event 2.48–8 s starts at 70 + 0.248·1110.
        XCTAssertTrue(svg.contains(#"<rect class="event" x="345.3" y="56.0" width="612.7""#), svg)
        XCTAssertTrue(svg.contains(#"<rect class="label" x="514.0""#))
        // Linear scale: ticks 0…6 step 1 (peak 5 plus 5 %); threshold 0.15 at 56 + 312·(1 − 0.15/6).
        XCTAssertTrue(svg.contains(">6</text>"))
        let y = 56 + 312 * (1 - 0.15 / 6)
        XCTAssertTrue(svg.contains(#"<line class="threshold" x1="70.0" y1="\#(String(format: "%.1f", y))""#), svg)
        XCTAssertFalse(svg.contains("log scale"))
        XCTAssertTrue(plot(scale: .logarithmic).svg().contains("score (log scale)"))
        XCTAssertTrue(plot().svg().contains("score (log scale)"), "automatic: peak 5 > 20 × 0.15 gives log")
    }

    func testManyFramesAreReducedToAnEnvelope() {
        let scores = (0..<100_000).map { (frame: $0, score: $0 == 50_000 ? 200.0 : Double($0 % 7)) }
        let svg = ScorePlot(title: "long", fps: 25, scores: scores, threshold: 1, events: []).svg()
        let path = svg.components(separatedBy: #"<path class="score" d=""#)[1].components(separatedBy: "\"")[0]
        let points = path.split(separator: " ").count
        XCTAssertLessThan(points, 5000, "at most a few points per pixel column")
        XCTAssertGreaterThan(points, 1000)
        // Log scale up to the 1000 tick: the single 200 peak must survive the reduction.
        let peakY = 56 + 312 - log10(1 + 200 / 0.01) / log10(1 + 1000 / 0.01) * 312
        XCTAssertTrue(path.contains(",\(String(format: "%.1f", peakY)) "), "peak at y \(peakY) missing")
        XCTAssertTrue(svg.contains(">10:00<") && svg.contains(">60:00<"), "4000 s gets m:ss ticks 10 minutes apart")
    }

    func testWriteRefusesPNG() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try plot().write(to: dir.appendingPathComponent("out.png").path)) { error in
            XCTAssertTrue("\(error)".contains("SVG only (PNG is not supported); use a file name ending in .svg"), "\(error)")
        }
        let path = dir.appendingPathComponent("out.svg").path
        try plot().write(to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), plot().svg())
    }
}
