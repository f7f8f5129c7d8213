import SeccamMotion
import XCTest

/// The detector on its own thread (``OverlappedDetector``) scores exactly like the detector called in line.
final class OverlappedDetectorTests: XCTestCase {
    /// 320x240 is large enough for MOG2 and the morphology to be split into parallel bands, so the waiting
    /// thread's help (`ParallelBands.assist`) is exercised too.
    private let width = 320, height = 240

    func testScoresEqualInLineDetection() throws {
        var options = DetectorOptions()
        options.kernelSize = 3
        let inLine = try MotionDetector(options: options, videoWidth: width, videoHeight: height)
        let overlapped = OverlappedDetector(detector: try MotionDetector(options: options, videoWidth: width, videoHeight: height),
                                            pixels: width * height)
        defer { overlapped.stop() }
        var scene = SyntheticScene(width: width, height: height, seed: 7)
        var expected: [FrameScore] = []
        var actual: [FrameScore] = []
        var inFlight = false
        for f in 0..<120 {
            let image = scene.frame(f)
            expected.append(inLine.process(image))
            let buffer = overlapped.nextBuffer()
            buffer.pixels = image.pixels
            if inFlight { actual.append(overlapped.result()) }
            overlapped.submit(buffer)
            inFlight = true
        }
        actual.append(overlapped.result())
        XCTAssertEqual(actual.count, expected.count)
        XCTAssertEqual(actual, expected)
        XCTAssertTrue(expected.contains { $0.score > 0 }, "the scene must have motion for the comparison to mean anything")
    }

    func testBuffersAlternateAndStopWaitsForTheFrameInFlight() throws {
        let overlapped = OverlappedDetector(detector: try MotionDetector(options: DetectorOptions(), videoWidth: width, videoHeight: height),
                                            pixels: width * height)
        let first = overlapped.nextBuffer(), second = overlapped.nextBuffer(), third = overlapped.nextBuffer()
        XCTAssertFalse(first === second)
        XCTAssertTrue(first === third)
        overlapped.submit(first)
        overlapped.stop()
        overlapped.stop()
    }
}
