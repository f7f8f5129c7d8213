import Foundation
import SeccamMedia
import SeccamTestSupport
import XCTest

/// Our gray must equal OpenCV's: FFmpeg's swscale BGR24 output with the BT.601 matrix (what cv2 uses whatever
/// the stream's tags; the ffmpeg CLI then gives the same bytes as cv2, DVR-SCAN.md §1.1) followed by the 15-bit BGR→gray formula, at exactly the sampled pixels.
final class GrayConverterTests: XCTestCase {
    private func referenceBGRFrames(_ url: URL, frames: Int) throws -> (width: Int, height: Int, frames: [[UInt8]]) {
        let probe = try ProcessRunner.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                           "stream=width,height", "-of", "csv=p=0", url.path]).stdout
        let dims = probe.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Int($0) }
        let (width, height) = (dims[0], dims[1])
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("gray-ref-\(UUID().uuidString).bgr")
        defer { try? FileManager.default.removeItem(at: raw) }
        let result = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", url.path, "-fps_mode", "passthrough",
                                            "-frames:v", "\(frames)",
                                            // cv2 ignores colour tags (BT.601 always); the CLI would honour BT.709 tags.
                                            "-vf", "scale=in_color_matrix=bt601:out_color_matrix=bt601", "-pix_fmt", "bgr24", "-f", "rawvideo", "-y", raw.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let data = [UInt8](try Data(contentsOf: raw))
        let size = width * height * 3
        return (width, height, stride(from: 0, to: data.count, by: size).map { Array(data[$0..<$0 + size]) })
    }

    private func check(_ url: URL, sampling makeSampling: (Int, Int) -> GraySampling, frames: Int = 8,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try referenceBGRFrames(url, frames: frames)
        let sampling = makeSampling(reference.width, reference.height)
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(url.path)))
        let converter = GrayConverter()
        var frame = try Frame()
        var gray: [UInt8] = []
        for (index, bgr) in reference.frames.enumerated() {
            XCTAssertTrue(try reader.nextFrame(into: &frame), file: file, line: line)
            try converter.convert(frame, sampling: sampling, into: &gray)
            var expected: [UInt8] = []
            for i in 0..<sampling.height {
                for j in 0..<sampling.width {
                    let o = ((sampling.cropY + i * sampling.step) * reference.width + sampling.cropX + j * sampling.step) * 3
                    expected.append(BGRToGray.gray(b: bgr[o], g: bgr[o + 1], r: bgr[o + 2]))
                }
            }
            let mismatches = zip(gray, expected).filter { $0 != $1 }.count
            XCTAssertEqual(mismatches, 0, "\(url.lastPathComponent) frame \(index) (\(frame.pixelFormat)): \(mismatches) pixels differ", file: file, line: line)
        }
    }

    func testLimitedRange420MatchesSwscaleAtFullResolutionAndSubsampled() throws {
        let url = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        try check(url, sampling: { .full(width: $0, height: $1) }, frames: 4)
        try check(url, sampling: { w, h in GraySampling(cropX: 631, cropY: 531, step: 3, width: (210 + 2) / 3, height: (127 + 2) / 3) })
    }

    func testOddSizeAndFullRangeFormats() throws {
        try check(TestPaths.sharedVideos.appendingPathComponent("dvrscan_issue53_brightness_change.avi"),
                  sampling: { .full(width: $0, height: $1) }, frames: 3)
        try check(TestPaths.fixtures.appendingPathComponent("moving_box_mjpeg.avi"),
                  sampling: { .full(width: $0, height: $1) })
        try check(TestPaths.sharedVideos.appendingPathComponent("intel_asl_gestures_walk.mkv"),
                  sampling: { w, h in GraySampling(cropX: 1, cropY: 3, step: 2, width: (w - 1 + 1) / 2, height: (h - 3 + 1) / 2) })
    }

    func testOtherPixelFormatsGoThroughSwscale() throws {
        try check(TestPaths.fixtures.appendingPathComponent("moving_box_yuv422.mp4"),
                  sampling: { w, h in GraySampling(cropX: 0, cropY: 0, step: 2, width: (w + 1) / 2, height: (h + 1) / 2) })
    }

    func testFrameThatDoesNotFitTheSamplingIsAClearError() throws {
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(TestPaths.fixtures.appendingPathComponent("static.mp4").path)))
        var frame = try Frame()
        XCTAssertTrue(try reader.nextFrame(into: &frame))
        var gray: [UInt8] = []
        XCTAssertThrowsError(try GrayConverter().convert(frame, sampling: .full(width: 640, height: 480), into: &gray)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .invalidData)
        }
    }
}
