import Foundation
import SeccamMedia
import SeccamTestSupport
import XCTest

/// FrameSnapshot keeps a decoded picture by reference while decoding goes on; JPEGWriter encodes it with
/// libavcodec's mjpeg (any input pixel format through swscale to yuvj420p), draws a rectangle, and fails with
/// errors that name the file.
final class JPEGWriterTests: XCTestCase {
    private func decodeRaw(_ input: String, format: String, frame: Int? = nil) throws -> [UInt8] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("jpeg-test-\(UUID().uuidString).raw")
        defer { try? FileManager.default.removeItem(at: out) }
        let select = frame.map { ["-vf", "select=eq(n\\,\($0))"] } ?? []
        let run = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", input] + select
            + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", format, out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        return [UInt8](try Data(contentsOf: out))
    }

    /// Mean |difference| and the number of pixels differing by more than 16.
    private func difference(_ a: [UInt8], _ b: [UInt8]) -> (mean: Double, large: Int) {
        XCTAssertEqual(a.count, b.count)
        let d = zip(a, b).map { abs(Int($0) - Int($1)) }
        return (Double(d.reduce(0, +)) / Double(max(1, d.count)), d.filter { $0 > 16 }.count)
    }

    /// 4:2:2 input (converted by swscale), a snapshot taken at frame 30 and written after 10 more decodes into
    /// the same Frame: the JPEG is frame 30, with a green rectangle.
    func testSnapshotOutlivesDecodingAndRectangleIsDrawn() throws {
        let video = TestPaths.fixtures.appendingPathComponent("moving_box_yuv422.mp4").path
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(video)))
        var frame = try Frame()
        let snapshot = try FrameSnapshot()
        XCTAssertTrue(snapshot.isEmpty)
        for index in 0...40 {
            XCTAssertTrue(try reader.nextFrame(into: &frame))
            if index == 30 { try snapshot.capture(frame) }
        }
        XCTAssertFalse(snapshot.isEmpty)
        XCTAssertEqual(snapshot.pixelFormat.name, "yuv422p")
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("frame30.jpg").path
        let rectangle = RectangleOverlay(left: 200, top: 20, right: 300, bottom: 60, thickness: 4, red: 0, green: 255, blue: 0)
        let writer = JPEGWriter()
        try writer.write(snapshot, rectangle: rectangle, to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["frame30.jpg"], "no temporary file left")
        let probe = try ProcessRunner.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height,pix_fmt",
                                           "-of", "csv=p=0", path])
        XCTAssertEqual(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "mjpeg,320,240,yuvj420p")

        let rgb = try decodeRaw(path, format: "rgb24")
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { let i = (y * 320 + x) * 3; return Array(rgb[i..<i + 3]) }
        func isGreen(_ x: Int, _ y: Int) -> Bool { let p = pixel(x, y); return p[1] > 200 && p[0] < 70 && p[2] < 70 }
        for x in stride(from: 200, through: 300, by: 10) {
            for y in [18, 20, 22, 58, 60, 62] { XCTAssertTrue(isGreen(x, y), "(\(x), \(y)) \(pixel(x, y))") }
            if x > 205, x < 295 { XCTAssertFalse(isGreen(x, 40), "inside at (\(x), 40)") }
            XCTAssertFalse(isGreen(x, 10), "outside at (\(x), 10)")
        }
        for y in stride(from: 20, through: 60, by: 8) {
            for x in [198, 200, 202, 298, 300, 302] { XCTAssertTrue(isGreen(x, y), "(\(x), \(y)) \(pixel(x, y))") }
        }

        // Below the rectangle (rows 80..239) the picture is frame 30 (the box is at y 100..139), not frame 40.
        let gray = Array(try decodeRaw(path, format: "gray")[(80 * 320)...])
        let frame30 = Array(try decodeRaw(video, format: "gray", frame: 30)[(80 * 320)...])
        let frame40 = Array(try decodeRaw(video, format: "gray", frame: 40)[(80 * 320)...])
        let same = difference(gray, frame30), other = difference(gray, frame40)
        XCTAssertLessThan(same.mean, 2, "mean |luma difference| with frame 30")
        XCTAssertLessThan(same.large, 20, "pixels differing by more than 16 from frame 30")
        XCTAssertGreaterThan(other.large, 1000, "frame 40 (box moved by 116 pixels) differs")

        // The writer is reusable, and a snapshot can be replaced.
        XCTAssertTrue(try reader.nextFrame(into: &frame))
        try snapshot.capture(frame)
        try writer.write(snapshot, to: path)
        XCTAssertEqual(try decodeRaw(path, format: "gray").count, 320 * 240)
    }

    func testErrorsNameThePath() throws {
        let writer = JPEGWriter()
        let empty = try FrameSnapshot()
        XCTAssertThrowsError(try writer.write(empty, to: "/tmp/never.jpg")) { error in
            let media = error as? MediaError
            XCTAssertEqual(media?.code, .invalidArgument)
            XCTAssertTrue("\(error)".contains("/tmp/never.jpg"), "\(error)")
        }

        let video = TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(video)))
        var frame = try Frame()
        XCTAssertTrue(try reader.nextFrame(into: &frame))
        let snapshot = try FrameSnapshot()
        try snapshot.capture(frame)
        let missing = "/nonexistent-\(UUID().uuidString)/thumb.jpg"
        XCTAssertThrowsError(try writer.write(snapshot, to: missing)) { error in
            let media = error as? MediaError
            XCTAssertEqual(media?.code, .notFound)
            XCTAssertEqual(media?.call, "open")
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
    }
}
