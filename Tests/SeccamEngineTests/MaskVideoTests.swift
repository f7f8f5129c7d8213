import Foundation
import SeccamEngine
import SeccamMotion
import SeccamTestSupport
import XCTest

/// `-mo`: the mask video has one frame per processed frame at the processed size, shows what the score counts, and
/// marks pixels outside the regions 63 as dvr-scan does.
final class MaskVideoTests: XCTestCase {
    /// Decodes `path` to full-range gray frames of `width` x `height` with the ffmpeg CLI.
    private func grayFrames(_ path: String, width: Int, height: Int, in dir: URL) throws -> [[UInt8]] {
        let raw = dir.appendingPathComponent("mask.gray")
        let out = try ProcessRunner.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", path, "-vf",
                                         "scale=in_range=tv:out_range=pc", "-pix_fmt", "gray", "-f", "rawvideo", raw.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        let bytes = [UInt8](try Data(contentsOf: raw))
        let size = width * height
        XCTAssertEqual(bytes.count % size, 0)
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<$0 + size]) }
    }

    /// Every processed frame (-fs 1: every other one) is in the video, at the processed size rounded up to even
    /// (-df 3 on 320x240 gives 107x80, so 108x80), and each frame's mean over the picture is the frame's score
    /// (dvr-scan's raw score is the mask's mean) up to the lossy coding.
    func testMaskVideoFramesAreTheScoredMasks() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = ScanOptions()
        options.detector.downscaleFactor = 3
        options.frameSkip = 1
        options.maskOutput = dir.appendingPathComponent("mask.mp4").path
        var scores: [Double] = []
        let result = try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path)],
                                     options: options).run(onFrame: { scores.append($0.score.rawScore) })
        let frames = try grayFrames(options.maskOutput!, width: 108, height: 80, in: dir)
        XCTAssertEqual(frames.count, result.framesProcessed)
        XCTAssertEqual(frames.count, 125)
        XCTAssertGreaterThan(scores.max() ?? 0, 5, "the moving box must show up")
        for (index, (frame, score)) in zip(frames, scores).enumerated() {
            var sum = 0
            for row in 0..<80 { for column in 0..<107 { sum += Int(frame[row * 108 + column]) } }
            XCTAssertEqual(Double(sum) / Double(107 * 80), score, accuracy: 2, "processed frame \(index)")
            XCTAssertTrue((0..<80).allSatisfy { frame[$0 * 108 + 107] < 24 }, "the padding column is black")
        }
    }

    /// With a region, pixels outside it are 63 (dvr-scan fills the masked-out part with 63), inside they are the mask.
    func testPixelsOutsideTheRegionsAre63() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = ScanOptions()
        // A triangle whose bounding box is the whole 320x240 picture: its top corners are outside it.
        options.detector.regions = [Region(points: [PolygonPoint(x: 0, y: 239), PolygonPoint(x: 160, y: 0),
                                                    PolygonPoint(x: 319, y: 239)])]
        options.maskOutput = dir.appendingPathComponent("mask.mkv").path
        _ = try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("static.mp4").path)], options: options).run()
        let frames = try grayFrames(options.maskOutput!, width: 320, height: 240, in: dir)
        XCTAssertEqual(frames.count, 100)
        let last = try XCTUnwrap(frames.last)
        for (x, y) in [(2, 2), (317, 2), (20, 30)] { XCTAssertEqual(Double(last[y * 320 + x]), 63, accuracy: 4, "outside at \(x),\(y)") }
        for (x, y) in [(160, 200), (100, 220), (160, 60)] { XCTAssertLessThan(last[y * 320 + x], 10, "inside, no motion, at \(x),\(y)") }
    }

    /// A mask file that cannot be created fails the scan with the file named.
    func testUnwritableMaskFileNamesTheFile() throws {
        var options = ScanOptions()
        options.maskOutput = "/nonexistent-folder/mask.mp4"
        XCTAssertThrowsError(try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("static.mp4").path)],
                                             options: options).run()) {
            XCTAssertTrue("\($0)".contains("/nonexistent-folder/mask.mp4"), "\($0)")
        }
    }
}
