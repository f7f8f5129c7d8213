import Foundation
import Logging
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `scan -m encode`: clips re-encoded in-process (libx264) spanning exactly the event's frames, with dvr-scan's
/// overlays (`-bb`, `-tc`, `-fm`) drawn, crash-safe names and the same sidecar as `-m copy`.
final class EncodedClipTests: XCTestCase {
    private let video = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")

    private final class Records { var items: [FrameRecord] = [] }

    private func scan(_ encoding: ClipEncoding, options: ScanOptions = ScanOptions(), video: URL? = nil,
                      records: Records? = nil) throws -> (result: ScanResult, directory: URL) {
        let dir = try TestPaths.makeTemporaryDirectory()
        var options = options
        options.clips = ClipSettings(directory: dir.path)
        options.clipEncoding = encoding
        let result = try ScanSession(inputs: [SourceURL((video ?? self.video).path)], options: options)
            .run(onFrame: { records?.items.append($0) })
        return (result, dir)
    }

    private func frameCount(_ path: String) throws -> Int {
        let out = try ProcessRunner.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                         "stream=nb_read_frames", "-of", "csv=p=0", path])
        XCTAssertEqual(out.status, 0, out.stderr)
        return Int(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    private func probe(_ path: String, _ entries: String) throws -> String {
        let out = try ProcessRunner.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "csv=p=0", path])
        XCTAssertEqual(out.status, 0, out.stderr)
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Frame `n` (0-based, in the clip) as packed RGB24.
    private func rgb(_ path: String, frame n: Int) throws -> [UInt8] {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("frame.raw")
        let run = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", path, "-vf", "select=eq(n\\,\(n))", "-frames:v", "1",
                                         "-f", "rawvideo", "-pix_fmt", "rgb24", out.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        return [UInt8](try Data(contentsOf: out))
    }

    private func sidecar(_ event: ScannedEvent) throws -> [String: Any] {
        let path = try XCTUnwrap(event.sidecarPath)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// -bb: a clean H.264 clip of exactly the event's frames from pts 0, no audio, dvr-scan's name, and the red outline
    /// where the detector's box is (smoothing of one frame, so the box is that frame's own).
    func testBoundingBoxClip() throws {
        var encoding = ClipEncoding()
        encoding.boundingBox = true
        encoding.boundingBoxSmoothTime = .frames(1)
        let records = Records()
        let (result, dir) = try scan(encoding, records: records)
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = try XCTUnwrap(result.events.first)
        XCTAssertEqual(result.events.count, 1)
        let clip = try XCTUnwrap(event.clipPath)
        XCTAssertEqual((clip as NSString).lastPathComponent, "moving_box.DSME_0001.mp4")
        XCTAssertEqual(try ClipInspection.decodeErrors(clip), "")
        XCTAssertEqual(try frameCount(clip), event.endFrame - event.startFrame)
        XCTAssertEqual(try probe(clip, "stream=codec_name"), "h264")
        XCTAssertEqual(try ClipInspection.streamTypes(clip), ["video"], "video only (the source's AAC is dropped)")
        let firstPTS = try ClipInspection.videoPackets(clip).compactMap(\.pts).min()
        XCTAssertEqual(firstPTS, 0)
        XCTAssertEqual(try probe(clip, "stream=avg_frame_rate"), "25/1")
        XCTAssertFalse(FileManager.default.fileExists(atPath: clip + ".partial"))

        let json = try sidecar(event)
        XCTAssertEqual(json["mode"] as? String, "encode")
        XCTAssertEqual(json["encoder"] as? String, "libx264")
        XCTAssertEqual(json["clipFrames"] as? Int, event.endFrame - event.startFrame)
        XCTAssertEqual(json["startFrame"] as? Int, event.startFrame)
        XCTAssertEqual((json["droppedStreams"] as? [String])?.count, 1)
        XCTAssertEqual(json["clipSHA256"] as? String, try ClipFiles.digest(path: clip).sha256)

        // The outline on the event's peak frame, compared with the same frame of a clip without overlays.
        let plain = try scan(ClipEncoding())
        defer { try? FileManager.default.removeItem(at: plain.directory) }
        let plainClip = try XCTUnwrap(plain.result.events.first?.clipPath)
        let peak = event.peakFrame
        let score = try XCTUnwrap(records.items.first { $0.frame == peak }?.score)
        XCTAssertTrue(score.above)
        let box = try XCTUnwrap(score.boundingBox)
        let (width, height) = (320, 240)
        let drawn = RectangleOverlay.dvrScanBoundingBox(box, frameWidth: width, frameHeight: height)
        let withBox = try rgb(clip, frame: peak - event.startFrame)
        let without = try rgb(plainClip, frame: peak - event.startFrame)
        func pixel(_ p: [UInt8], _ x: Int, _ y: Int) -> (Int, Int, Int) {
            let i = (y * width + x) * 3
            return (Int(p[i]), Int(p[i + 1]), Int(p[i + 2]))
        }
        func isRed(_ c: (Int, Int, Int)) -> Bool { c.0 > 190 && c.1 < 80 && c.2 < 80 }
        func close(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool { abs(a.0 - b.0) + abs(a.1 - b.1) + abs(a.2 - b.2) < 60 }
        // Sample the outline where the scene is gray (the moving box itself is red): the right half.
        let right = min(width - 1, drawn.right), bottom = min(height - 1, drawn.bottom)
        var edgeSamples = 0
        for x in stride(from: max(drawn.left + 4, width / 2), through: right - 4, by: 6) {
            for y in [drawn.top, bottom] where !isRed(pixel(without, x, y)) {
                XCTAssertTrue(isRed(pixel(withBox, x, y)), "outline at (\(x), \(y)): \(pixel(withBox, x, y))")
                edgeSamples += 1
            }
            // Inside and outside the outline the picture is the plain clip's (encoder noise only).
            for y in [drawn.top + 6, drawn.top - 6] where y >= 0 && y < height {
                XCTAssertTrue(close(pixel(withBox, x, y), pixel(without, x, y)), "off the outline at (\(x), \(y))")
            }
        }
        for y in stride(from: drawn.top + 3, through: bottom - 3, by: 4) where right == drawn.right && !isRed(pixel(without, right, y)) {
            XCTAssertTrue(isRed(pixel(withBox, right, y)), "right edge at (\(right), \(y))")
            edgeSamples += 1
        }
        XCTAssertGreaterThan(edgeSamples, 5)
        // Pre-roll frames are below the threshold: no box, so they equal the plain clip's.
        let first = try rgb(clip, frame: 0), plainFirst = try rgb(plainClip, frame: 0)
        XCTAssertEqual(zip(first, plainFirst).filter { abs(Int($0.0) - Int($0.1)) > 40 }.count, 0)
    }

    /// -tc burns the timecode into the top-left box (and nothing else); -fm the metrics into the top right.
    /// A turned (phone) video's re-encoded clip is written the right way up: 240x320, each frame the turned
    /// source picture (ffmpeg turns it itself when decoding), from the event's first frame.
    func testClipOfATurnedVideoIsTurned() throws {
        let turned = TestPaths.fixtures.appendingPathComponent("moving_box_rot90.mp4")
        let (result, dir) = try scan(ClipEncoding(), video: turned)
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = try XCTUnwrap(result.events.first)
        let clip = try XCTUnwrap(event.clipPath)
        XCTAssertEqual(try probe(clip, "stream=width,height"), "240,320")
        for n in [0, 40] {
            let ours = try rgb(clip, frame: n), source = try rgb(turned.path, frame: event.startFrame + n)
            XCTAssertEqual(ours.count, source.count)
            let mean = Double(zip(ours, source).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, source.count))
            XCTAssertLessThan(mean, 4, "clip frame \(n) is source frame \(event.startFrame + n), turned")
        }
    }

    func testTimeCodeAndFrameMetricsChangeOnlyTheirCorner() throws {
        let plain = try scan(ClipEncoding())
        var encoding = ClipEncoding()
        encoding.timeCode = true
        let timed = try scan(encoding)
        encoding.timeCode = false
        encoding.frameMetrics = true
        let metrics = try scan(encoding)
        defer { for d in [plain.directory, timed.directory, metrics.directory] { try? FileManager.default.removeItem(at: d) } }
        let n = 10
        let a = try rgb(XCTUnwrap(plain.result.events.first?.clipPath), frame: n)
        let b = try rgb(XCTUnwrap(timed.result.events.first?.clipPath), frame: n)
        let c = try rgb(XCTUnwrap(metrics.result.events.first?.clipPath), frame: n)
        XCTAssertEqual(try frameCount(XCTUnwrap(timed.result.events.first?.clipPath)),
                       try frameCount(XCTUnwrap(plain.result.events.first?.clipPath)))
        func meanDiff(_ p: [UInt8], _ q: [UInt8], x: Range<Int>, y: Range<Int>) -> Double {
            var sum = 0, count = 0
            for row in y { for col in x { for k in 0..<3 { sum += abs(Int(p[(row * 320 + col) * 3 + k]) - Int(q[(row * 320 + col) * 3 + k])); count += 1 } } }
            return Double(sum) / Double(count)
        }
        // The timecode box: margin 4, border 4, 12 glyphs at scale 3 (213 x 21 pixels).
        let timecodeArea = (x: 4..<225, y: 4..<37)
        XCTAssertGreaterThan(meanDiff(a, b, x: timecodeArea.x, y: timecodeArea.y), 40, "timecode drawn")
        XCTAssertLessThan(meanDiff(a, b, x: 0..<320, y: 60..<240), 3, "rest of the picture unchanged")
        // The metrics box (two lines) is at the top right.
        XCTAssertGreaterThan(meanDiff(a, c, x: 120..<316, y: 4..<80), 40, "frame metrics drawn")
        XCTAssertLessThan(meanDiff(a, c, x: 0..<320, y: 100..<240), 3)
        // The timecode text itself: frame n of the clip is source frame start + n; white glyph pixels in the box.
        let white = stride(from: 0, to: b.count, by: 3).filter { i in
            let p = i / 3, (x, y) = (p % 320, p / 320)
            return timecodeArea.x.contains(x) && timecodeArea.y.contains(y) && b[i] > 200 && b[i + 1] > 200 && b[i + 2] > 200
        }.count
        XCTAssertGreaterThan(white, 300)
    }

    /// Frame skip: every decoded frame of the event is encoded (constant source rate), not only processed ones.
    func testFrameSkipKeepsEveryFrame() throws {
        var options = ScanOptions()
        options.frameSkip = 2
        var encoding = ClipEncoding()
        encoding.boundingBox = true
        let (result, dir) = try scan(encoding, options: options)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertFalse(result.events.isEmpty)
        for event in result.events {
            let clip = try XCTUnwrap(event.clipPath)
            XCTAssertEqual(try ClipInspection.decodeErrors(clip), "")
            XCTAssertEqual(try frameCount(clip), event.endFrame - event.startFrame, "event \(event.index)")
        }
    }

    /// The decoded pre-roll is bounded in bytes: with room for 10 pictures the clip starts later and the sidecar
    /// says how much pre-roll was really achieved.
    func testPreRollMemoryBound() throws {
        var encoding = ClipEncoding()
        encoding.maxPreRollBytes = 10 * 320 * 240 * 3 / 2
        let (result, dir) = try scan(encoding)
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = try XCTUnwrap(result.events.first)
        let clip = try XCTUnwrap(event.clipPath)
        let frames = try frameCount(clip)
        XCTAssertLessThan(frames, event.endFrame - event.startFrame)
        XCTAssertEqual(try ClipInspection.decodeErrors(clip), "")
        let json = try sidecar(event)
        let achieved = try XCTUnwrap(json["achievedPreRollSeconds"] as? Double)
        let requested = try XCTUnwrap(json["requestedPreRollSeconds"] as? Double)
        XCTAssertLessThan(achieved, requested)
        XCTAssertEqual(json["clipFrames"] as? Int, frames)
    }

    /// The embedding API's event handler hears about each encoded clip once it is final on disk.
    func testEventHandlerIsToldOfFinishedClips() throws {
        final class Notices: @unchecked Sendable {
            let lock = NSLock()
            var finished: [String] = []
        }
        let notices = Notices()
        var options = ScanOptions()
        options.eventHandler = { notice in
            guard case .clipFinished(let event) = notice, let path = event.clipPath else { return }
            notices.lock.withLock { notices.finished.append(path) }
        }
        let (result, dir) = try scan(ClipEncoding(), options: options)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(notices.finished, result.events.compactMap(\.clipPath))
        XCTAssertTrue(notices.finished.allSatisfy { FileManager.default.fileExists(atPath: $0) })
    }

    /// A missing encoder falls back to mpeg4 (named in the sidecar); the clip still decodes cleanly.
    func testFallbackEncoder() throws {
        var encoding = ClipEncoding()
        encoding.encoder = "no-such-encoder"
        encoding.timeCode = true
        let (result, dir) = try scan(encoding)
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = try XCTUnwrap(result.events.first)
        let clip = try XCTUnwrap(event.clipPath)
        XCTAssertEqual(try probe(clip, "stream=codec_name"), "mpeg4")
        XCTAssertEqual(try ClipInspection.decodeErrors(clip), "")
        XCTAssertEqual(try frameCount(clip), event.endFrame - event.startFrame)
        XCTAssertEqual(try sidecar(event)["encoder"] as? String, "mpeg4")
    }

    /// SIGKILL while an encoded clip is written: no final-named clip appears, and the fragmented `.partial` file is
    /// recovered at the next start as a playable clip starting on a keyframe.
    func testKilledWhileEncodingRecovers() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        let process = try ProcessRunner.start([TestPaths.executable.path, "scan", source.path, "-m", "encode", "-bb", "-tc", "-d", dir.path],
                                              log: dir.appendingPathComponent("scan.log"))
        // A few one-second fragments (the whole clip is about 4 MB), then SIGKILL mid-clip.
        let killed = try ClipInspection.killWhileWriting(process, directory: dir, atLeast: 600_000)
        let partialName = try XCTUnwrap(killed.partialName, "no .partial file appeared")
        XCTAssertTrue(killed.killedMidClip, "the scan finished before it could be killed")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertFalse(names.contains(String(partialName.dropLast(".partial".count))), "no final-named clip before it was finished")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let recovered = ClipFiles.recover(in: dir.path, logger: logger)
        let clip = try XCTUnwrap(recovered.first)
        XCTAssertEqual(recovered.count, 1)
        XCTAssertEqual(try ClipInspection.decodeErrors(clip), "")
        XCTAssertTrue(try XCTUnwrap(ClipInspection.videoPackets(clip).first).isKey)
        let frames = try frameCount(clip)
        XCTAssertGreaterThan(frames, 25)
        XCTAssertLessThan(frames, 574)
    }

    /// Command line: the overlays need -m encode; clear errors for the combinations that cannot work.
    func testCommandLine() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ arguments: [String]) throws -> ProcessRunner.Output {
            try ProcessRunner.run([TestPaths.executable.path, "scan", video.path] + arguments)
        }
        let bad: [([String], String)] = [
            (["-so", "-bb"], "-bb/--bounding-box draws on re-encoded clips, but -so/--scan-only writes no clips"),
            (["-so", "-tc"], "-tc/--time-code draws on re-encoded clips"),
            (["-bb", "-d", dir.path], "-bb/--bounding-box needs -m encode"),
            (["-fm", "-m", "copy", "-d", dir.path], "-fm/--frame-metrics needs -m encode"),
            (["-m", "ffmpeg", "-d", dir.path], "-m/--output-mode: expected copy (stream copy) or encode"),
            (["-m", "encode", "--bounding-box-smooth-time", "0.2s", "-d", dir.path], "--bounding-box-smooth-time needs -bb"),
            (["-m", "encode", "-bb", "--bounding-box-smooth-time", "soon", "-d", dir.path], "-bb/--bounding-box-smooth-time:"),
            (["-m", "encode", "-d", "/dev/null/clips"], "cannot create the clip folder /dev/null/clips: Not a directory"),
        ]
        for (arguments, message) in bad {
            let out = try run(arguments)
            XCTAssertNotEqual(out.status, 0, "\(arguments)")
            XCTAssertTrue(out.stderr.contains(message), "\(arguments): \(out.stderr)")
        }
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "no clip from a refused command")

        // dvr-scan's `-bb TIME` form and the opencv alias work.
        let ok = try run(["-m", "opencv", "-bb", "0.2s", "-tc", "-fm", "-d", dir.path, "-q"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "00:00:02.480,00:00:08.000\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["moving_box.DSME_0001.json", "moving_box.DSME_0001.mp4"])
    }

    /// Against the real dvr-scan 1.8.2.1 (`make ref-venv`): on the traffic camera with a ROI, same events, and
    /// our clip holds exactly the event's frames. dvr-scan's `-m opencv` writes one frame fewer for an event closed by
    /// the post-event time (the frame that ends it is not written; DVR-SCAN.md §5.2), the same count for the event cut
    /// by the end of the video, and adds the buffered frames 0–1 before the first event's start (its start frame is
    /// never below 2).
    func testFrameCountsAgainstDvrScan() throws {
        let dvrScan = TestPaths.repositoryRoot.appendingPathComponent(".venv-ref/bin/dvr-scan")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: dvrScan.path), "dvr-scan reference not installed (make ref-venv)")
        let source = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        let reference = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: reference) }
        let out = try ProcessRunner.run([dvrScan.path, "-i", source.path, "-m", "opencv", "-roi", "631", "532", "210", "127",
                                         "-d", reference.path, "-q"], in: reference)
        XCTAssertEqual(out.status, 0, out.stderr)
        var options = ScanOptions()
        options.detector.regions = [.rectangle(x: 631, y: 532, width: 210, height: 127)]
        let (result, dir) = try scan(ClipEncoding(), options: options, video: source)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       result.events.flatMap { [Timecode.format(frames: $0.startFrame, fps: 25, precision: 3),
                                                Timecode.format(frames: $0.endFrame, fps: 25, precision: 3)] }.joined(separator: ","))
        XCTAssertEqual(result.events.count, 3)
        var theirs: [Int] = []
        var ours: [Int] = []
        for event in result.events {
            theirs.append(try frameCount(reference.appendingPathComponent(String(format: "dvrscan_traffic_camera.DSME_%04d.avi", event.index)).path))
            ours.append(try frameCount(XCTUnwrap(event.clipPath)))
            XCTAssertEqual(ours.last, event.endFrame - event.startFrame)
        }
        // Event 1: [2, 149), dvr-scan writes frames 0–147; event 2: [320, 491), dvr-scan writes 320–489;
        // event 3: [504, 576) runs to the end of the video, both write 504–575.
        XCTAssertEqual(ours, [147, 171, 72])
        XCTAssertEqual(theirs, [148, 170, 72])
    }
}

/// The `-bb` box on every frame against the real dvr-scan 1.8.2.1: its `MotionScanner._draw_overlays` is wrapped
/// (in-process, as `dvrscan_dump.py` does for scores) to log each written frame's rectangle corners after smoothing,
/// scaling, padding and shift; ours come from the `bounding box drawn` trace line.
final class EncodedClipBoxTests: XCTestCase {
    private static let patch = """
    import sys
    import dvr_scan.scanner as sc
    out = open(sys.argv[1], "w")
    orig = sc.MotionScanner._draw_overlays
    def patched(self, frame, timecode, frame_score, bounding_box, use_shift=True):
        bb = self._bounding_box
        if bounding_box is not None and bb is not None:
            b = [s * bb._downscale_factor for s in bounding_box]
            m = max(frame.shape[0], frame.shape[1]); ms = max(1, round(bb._min_size_ratio * m))
            cx = max(0, ms - b[2]); cy = max(0, ms - b[3])
            x0 = b[0] - cx // 2 + bb._shift[0]; y0 = b[1] - cy // 2 + bb._shift[1]
            x1 = b[0] + b[2] + cx // 2 + bb._shift[0]; y1 = b[1] + b[3] + cy // 2 + bb._shift[1]
            out.write("%d %d %d %d %d\\n" % (timecode.frame_num, max(0, x0), max(0, y0), max(0, x1), max(0, y1)))
        else:
            out.write("%d none\\n" % timecode.frame_num)
        return orig(self, frame, timecode, frame_score, bounding_box, use_shift)
    sc.MotionScanner._draw_overlays = patched
    sys.argv = ["dvr-scan"] + sys.argv[2:]
    from dvr_scan.__main__ import main
    main()
    """

    func testBoxesEqualDvrScans() throws {
        let python = TestPaths.repositoryRoot.appendingPathComponent(".venv-ref/bin/python")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: python.path), "dvr-scan reference not installed (make ref-venv)")
        let source = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4").path
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("boxes.py")
        try Self.patch.write(to: script, atomically: true, encoding: .utf8)
        let options = ["-bb", "0.3s", "-df", "3", "-fs", "1", "-a", "100", "100", "900", "120", "1000", "600", "200", "650"]
        let theirLog = dir.appendingPathComponent("dvr.txt")
        let theirs = try ProcessRunner.run([python.path, script.path, theirLog.path, "-i", source, "-m", "opencv", "-q",
                                            "-d", dir.appendingPathComponent("dvr").path] + options)
        XCTAssertEqual(theirs.status, 0, theirs.stderr)
        let ours = try ProcessRunner.run([TestPaths.executable.path, "scan", source, "-m", "encode", "-q", "--log-level", "trace",
                                          "-d", dir.appendingPathComponent("ours").path] + options)
        XCTAssertEqual(ours.status, 0, ours.stderr)

        var dvrBoxes: [Int: String] = [:]
        for line in try String(contentsOf: theirLog, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            dvrBoxes[Int(parts[0])!] = parts[1]
        }
        var ourBoxes: [Int: String] = [:]
        for line in (ours.stdout + ours.stderr).split(separator: "\n") where line.contains("bounding box drawn") {
            let frame = try XCTUnwrap(line.firstMatch(of: #/frame=(\d+)/#)?.1)
            let box = try XCTUnwrap(line.firstMatch(of: #/box=(\d+ \d+ \d+ \d+)/#)?.1)
            ourBoxes[Int(frame)!] = String(box)
        }
        let drawn = dvrBoxes.filter { $0.value != "none" }
        XCTAssertGreaterThan(drawn.count, 100)
        for (frame, box) in dvrBoxes.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(ourBoxes[frame] ?? "none", box, "frame \(frame)")
        }
    }
}
