import SeccamMotion
import XCTest

/// MOG2 and CNT masks against OpenCV 4.12 (`subtractors.csv`, from `generate.py`).
final class SubtractorKnownAnswerTests: XCTestCase {
    private struct Expected {
        var foreground: Int
        var hash: String
    }

    private func expected(_ config: String) throws -> [Expected] {
        let text = try String(contentsOf: Fixtures.url("subtractors.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix(config + ",") }
        return rows.map { row in
            let fields = row.split(separator: ",")
            return Expected(foreground: Int(fields[2])!, hash: String(fields[3]))
        }
    }

    private func check(_ config: String, _ make: () -> any BackgroundSubtractor,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try expected(config)
        XCTAssertEqual(expected.count, 300, "fixture rows for \(config)", file: file, line: line)
        let subtractor = make()
        var scene = SyntheticScene(width: 37, height: 23, seed: 12345)
        var mask = GrayImage(width: 37, height: 23)
        for (frame, answer) in expected.enumerated() {
            subtractor.apply(scene.frame(frame), mask: &mask)
            let foreground = mask.pixels.filter { $0 != 0 }.count
            guard foreground == answer.foreground, Fixtures.fnv1a(mask.pixels) == answer.hash else {
                return XCTFail("\(config): frame \(frame) has \(foreground) foreground pixels, OpenCV \(answer.foreground)",
                               file: file, line: line)
            }
        }
    }

    func testMOG2MatchesOpenCV() throws {
        for implementation in SubtractorImplementation.allCases {
            try check("mog2") { MOG2Subtractor(width: 37, height: 23, implementation: implementation) }
        }
    }

    func testMOG2WithVarianceThresholdAndFixedLearningRateMatchesOpenCV() throws {
        for implementation in SubtractorImplementation.allCases {
            try check("mog2-var25-lr0.02") {
                MOG2Subtractor(width: 37, height: 23, varianceThreshold: 25, learningRate: 0.02,
                               implementation: implementation)
            }
        }
    }

    func testCNTMatchesOpenCV() throws {
        try check("cnt") { CNTSubtractor(width: 37, height: 23) }
        try check("cnt-lr0.5") { CNTSubtractor(width: 37, height: 23, learningRate: 0.5) }
    }

    func testCNTWithoutHistoryMatchesOpenCV() throws {
        try check("cnt-lr0") { CNTSubtractor(width: 37, height: 23, learningRate: 0) }
    }

    func testFirstFrameIsAllForegroundAndLearningRateOneNeverLearns() {
        var scene = SyntheticScene(width: 16, height: 8, seed: 1)
        let subtractors: [any BackgroundSubtractor] = [
            MOG2Subtractor(width: 16, height: 8, learningRate: 1),
            CNTSubtractor(width: 16, height: 8, learningRate: 1),
        ]
        var mask = GrayImage(width: 16, height: 8)
        for frame in 0..<5 {
            let image = scene.frame(frame)
            for subtractor in subtractors {
                subtractor.apply(image, mask: &mask)
                XCTAssertTrue(mask.pixels.allSatisfy { $0 == 255 }, "frame \(frame) of \(type(of: subtractor))")
            }
        }
    }
}
