import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `scan --thumbnails highscore`: one JPEG per event (libavcodec mjpeg, in-process) of the highest-scoring
/// frame, with the event's bounding box drawn in dvr-scan's `-bb` style, named in the sidecar; also with `-so`.
final class ThumbnailTests: XCTestCase {
    private let video = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")

    /// Decodes `arguments`' first picture with ffmpeg to raw `format` bytes (gray or rgb24).
    private func raw(_ input: String, format: String, filter: [String] = []) throws -> [UInt8] {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("frame.raw")
        let run = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", input] + filter
            + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", format, out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        return [UInt8](try Data(contentsOf: out))
    }

    private func sourceGray(frame: Int) throws -> [UInt8] {
        try raw(video.path, format: "gray", filter: ["-vf", "select=eq(n\\,\(frame))"])
    }

    private func probe(_ path: String) throws -> [String] {
        let out = try ProcessRunner.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height",
                                         "-of", "csv=p=0", path])
        XCTAssertEqual(out.status, 0, out.stderr)
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map(String.init)
    }

    /// Checks the thumbnail of `event` against the source: mjpeg at the video's size, the red outline on the
    /// event's box, and the picture of frame `peakFrame` (and not of its neighbours) everywhere else.
    private func checkThumbnail(_ event: ScannedEvent, width: Int, height: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try XCTUnwrap(event.thumbnailPath, "event \(event.index) has a thumbnail", file: file, line: line)
        XCTAssertEqual((path as NSString).lastPathComponent, String(format: "moving_box.DSME_%04d.jpg", event.index), file: file, line: line)
        XCTAssertEqual(try probe(path), ["mjpeg", "\(width)", "\(height)"], file: file, line: line)

        // The outline, as dvr-scan's -bb draws it on a 320x240 frame: thickness 2, minimum side 10.
        let box = try XCTUnwrap(event.boundingBox, file: file, line: line)
        let rgb = try raw(path, format: "rgb24")
        XCTAssertEqual(rgb.count, width * height * 3, file: file, line: line)
        func isRed(_ x: Int, _ y: Int) -> Bool {
            let i = (y * width + x) * 3
            return rgb[i] > 200 && rgb[i + 1] < 70 && rgb[i + 2] < 70
        }
        let left = box.x, top = box.y, right = min(width - 1, box.x + box.width), bottom = min(height - 1, box.y + box.height)
        // Sample the outline where the scene itself is gray (the moving box is red too): the right half.
        let xs = Array(stride(from: max(left, width / 2), through: right - 2, by: 7))
        XCTAssertFalse(xs.isEmpty, file: file, line: line)
        for x in xs {
            XCTAssertTrue(isRed(x, top), "top edge at (\(x), \(top))", file: file, line: line)
            XCTAssertTrue(isRed(x, bottom), "bottom edge at (\(x), \(bottom))", file: file, line: line)
            XCTAssertFalse(isRed(x, top + 6), "inside the box below its top edge at (\(x), \(top + 6))", file: file, line: line)
            XCTAssertFalse(isRed(x, top - 6), "outside the box above its top edge at (\(x), \(top - 6))", file: file, line: line)
        }
        for y in stride(from: top + 2, through: bottom - 2, by: 5) {
            XCTAssertTrue(isRed(right, y), "right edge at (\(right), \(y))", file: file, line: line)
        }

        // Away from the outline the picture is the source's frame peakFrame (JPEG error only), and clearly not
        // its neighbours (the box moves about 6 pixels a frame).
        let gray = try raw(path, format: "gray")
        func nearOutline(_ x: Int, _ y: Int) -> Bool {
            let m = 8
            let inX = x >= left - m && x <= right + m, inY = y >= top - m && y <= bottom + m
            return (inX && (abs(y - top) <= m || abs(y - bottom) <= m)) || (inY && (abs(x - left) <= m || abs(x - right) <= m))
        }
        func compare(_ other: [UInt8]) -> (mean: Double, bad: Int) {
            var sum = 0, count = 0, bad = 0
            for y in 0..<height {
                for x in 0..<width where !nearOutline(x, y) {
                    let d = abs(Int(gray[y * width + x]) - Int(other[y * width + x]))
                    sum += d
                    count += 1
                    if d > 16 { bad += 1 }
                }
            }
            return (Double(sum) / Double(count), bad)
        }
        let peak = compare(try sourceGray(frame: event.peakFrame))
        XCTAssertLessThan(peak.mean, 2.0, "mean |luma difference| with frame \(event.peakFrame)", file: file, line: line)
        XCTAssertLessThan(peak.bad, 20, "pixels differing by more than 16 from frame \(event.peakFrame)", file: file, line: line)
        for neighbour in [event.peakFrame - 2, event.peakFrame - 1, event.peakFrame + 1, event.peakFrame + 2] {
            let other = compare(try sourceGray(frame: neighbour))
            XCTAssertGreaterThan(other.bad, 5 * max(peak.bad, 10), "frame \(neighbour) differs from the thumbnail", file: file, line: line)
        }
    }

    func testHighscoreThumbnailNextToClipAndNamedInSidecar() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = ScanOptions()
        options.clips = ClipSettings(directory: dir.path)
        options.thumbnails = true
        let result = try ScanSession(inputs: [SourceURL(video.path)], options: options).run()
        XCTAssertEqual(result.events.count, 1)
        for event in result.events {
            try checkThumbnail(event, width: result.width, height: result.height)
            XCTAssertEqual((try XCTUnwrap(event.thumbnailPath) as NSString).deletingLastPathComponent, dir.path)
            let record = try JSONDecoder().decode(EventRecord.self, from: Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(event.sidecarPath))))
            XCTAssertEqual(record.thumbnail, String(format: "moving_box.DSME_%04d.jpg", event.index))
            XCTAssertEqual(record.peakFrame, event.peakFrame)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["moving_box.DSME_0001.jpg", "moving_box.DSME_0001.json", "moving_box.DSME_0001.mp4"])
    }

    func testScanOnlyWritesThumbnailsWithoutClips() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("thumbs/new")  // created on demand
        var options = ScanOptions()
        options.thumbnails = true
        options.thumbnailDirectory = folder.path
        let result = try ScanSession(inputs: [SourceURL(video.path)], options: options).run()
        let event = try XCTUnwrap(result.events.first)
        XCTAssertNil(event.clipPath)
        XCTAssertNil(event.sidecarPath)
        try checkThumbnail(event, width: result.width, height: result.height)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["moving_box.DSME_0001.jpg"])
    }

    /// A turned (phone) video's thumbnail shows the turned picture, as dvr-scan's (OpenCV's) does: 240x320,
    /// the same picture as ffmpeg's own auto-rotated decode of the peak frame, and not the unturned one.
    func testThumbnailOfATurnedVideoIsTurned() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let turned = TestPaths.fixtures.appendingPathComponent("moving_box_rot90.mp4")
        var options = ScanOptions()
        options.thumbnails = true
        options.thumbnailDirectory = dir.path
        let result = try ScanSession(inputs: [SourceURL(turned.path)], options: options).run()
        let event = try XCTUnwrap(result.events.first)
        let path = try XCTUnwrap(event.thumbnailPath)
        XCTAssertEqual(try probe(path), ["mjpeg", "240", "320"])
        let thumbnail = try raw(path, format: "gray")
        // ffmpeg applies the display matrix itself when decoding (autorotate).
        let expected = try raw(turned.path, format: "gray", filter: ["-vf", "select=eq(n\\,\(event.peakFrame))"])
        XCTAssertEqual(thumbnail.count, expected.count)
        let meanDifference = Double(zip(thumbnail, expected).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, expected.count))
        XCTAssertLessThan(meanDifference, 3, "the thumbnail is the turned peak frame (JPEG error and the outline only)")
    }

    func testWithoutTheOptionNoThumbnail() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = ScanOptions()
        options.clips = ClipSettings(directory: dir.path)
        let result = try ScanSession(inputs: [SourceURL(video.path)], options: options).run()
        XCTAssertNil(result.events.first?.thumbnailPath)
        let record = try JSONDecoder().decode(EventRecord.self, from: Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(result.events.first?.sidecarPath))))
        XCTAssertNil(record.thumbnail)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasSuffix(".jpg") })
    }

    func testCommandLine() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try ProcessRunner.run([TestPaths.executable.path, "scan", video.path, "-so", "-q", "-d", dir.path,
                                         "--thumbnails", "highscore"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["moving_box.DSME_0001.jpg"])
        XCTAssertEqual(try probe(dir.appendingPathComponent("moving_box.DSME_0001.jpg").path), ["mjpeg", "320", "240"])

        let bad = try ProcessRunner.run([TestPaths.executable.path, "scan", video.path, "-so", "--thumbnails", "foo"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--thumbnails: the only method is 'highscore'"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("'foo'"), bad.stderr)
    }

    func testUnwritableFolderFailsNamingThePath() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A file where the folder should be: the thumbnail folder cannot be created.
        let blocker = dir.appendingPathComponent("blocker")
        try Data().write(to: blocker)
        var options = ScanOptions()
        options.thumbnails = true
        options.thumbnailDirectory = blocker.appendingPathComponent("sub").path
        XCTAssertThrowsError(try ScanSession(inputs: [SourceURL(video.path)], options: options).run()) { error in
            XCTAssertTrue("\(error)".contains("blocker"), "\(error)")
        }
    }

    func testBoundingBoxOverlayFollowsDvrScan() {
        // dvr-scan overlays.py: thickness max(2, 2*round(0.0032*side // 2)); min side max(1, round(0.032*side)).
        let small = RectangleOverlay.dvrScanBoundingBox(MotionBox(x: 100, y: 50, width: 4, height: 30), frameWidth: 320, frameHeight: 240)
        XCTAssertEqual(small.thickness, 2)
        XCTAssertEqual([small.left, small.top, small.right, small.bottom], [97, 50, 107, 80])  // padded 6 // 2 = 3 each side
        let hd = RectangleOverlay.dvrScanBoundingBox(MotionBox(x: 0, y: 2, width: 100, height: 10), frameWidth: 1280, frameHeight: 720)
        XCTAssertEqual(hd.thickness, 4)  // 4.096 // 2 = 2 → 4
        XCTAssertEqual([hd.left, hd.top, hd.right, hd.bottom], [0, 0, 100, 27])  // 41 - 10 = 31 → 15 each side, clamped at 0
        XCTAssertEqual(RectangleOverlay.dvrScanBoundingBox(MotionBox(x: 0, y: 0, width: 1, height: 1), frameWidth: 1920, frameHeight: 1080).thickness, 6)
        let red = small.fullRangeYCbCr
        XCTAssertEqual([red.y, red.cb, red.cr], [76, 85, 255])
    }
}
