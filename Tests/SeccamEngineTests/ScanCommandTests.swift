import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// The `seccam-engine scan` command line: dvr-scan's output format, option names and error messages.
final class ScanCommandTests: XCTestCase {
    private func scan(_ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run([TestPaths.executable.path, "scan"] + arguments)
    }

    private var video: String { TestPaths.sharedVideos.appendingPathComponent("lowmotion_intel_one-by-one_101s-116s.mp4").path }

    func testPrintsDvrScanTableAndTimecodes() throws {
        let out = try scan([video, "-so"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let reference = try String(contentsOf: TestPaths.sharedVideos.appendingPathComponent("reference/lowmotion_intel_one-by-one_101s-116s.mp4.txt"), encoding: .utf8)
        let table = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("|") || $0.hasPrefix("---") } }
        XCTAssertEqual(table(out.stdout), table(reference))
        XCTAssertEqual(out.stdout.split(separator: "\n").last, reference.split(separator: "\n").last)
        let quiet = try scan(["-i", video, "-so", "-q"])
        XCTAssertEqual(quiet.stdout, String(reference.split(separator: "\n").last!) + "\n")
    }

    /// `--use-pts` (dvr-scan's PTS mode, event times from the frames' timestamps) gives dvr-scan's own timecodes on
    /// every shared video, including the VFR traffic video, an AVI whose frames carry no pts (dvr-scan then ends
    /// the event at 0) and `-fs`/`-st`/`-l`/`-tb`/`-tp` variants (`Fixtures/expected/use-pts.dvrscan.txt`).
    func testUsePTSMatchesDvrScanOnTheSharedVideos() throws {
        let table = try String(contentsOf: TestPaths.fixtures.appendingPathComponent("expected/use-pts.dvrscan.txt"), encoding: .utf8)
        var rows = 0
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(cells.count, 3, String(line))
            let path = TestPaths.sharedVideos.appendingPathComponent(cells[0]).path
            let options = cells[1].split(separator: " ").map(String.init)
            let out = try scan([path, "-so", "-q", "--use-pts"] + options)
            XCTAssertEqual(out.status, 0, out.stderr)
            // With no event, dvr-scan -q prints nothing at all.
            XCTAssertEqual(out.stdout, cells[2].isEmpty ? "" : cells[2] + "\n", "\(cells[0]) \(cells[1])")
            rows += 1
        }
        XCTAssertEqual(rows, 20)
    }

    /// In PTS mode dvr-scan's event boundaries are times (frame / fps), not frame indices. On the VFR video the clip
    /// is cut at those times: grid frames 84-167 are 5.02-9.99 s, while decoded frames 84-167 are at 3.32-6.64 s.
    func testUsePTSClipsAreCutAtTheEventTimes() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera_vfr.mp4").path
        let out = try scan([source, "--use-pts", "-st", "5s", "-dt", "10s", "-d", dir.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout.split(separator: "\n").last, "00:00:05.022,00:00:09.985")
        let sidecar = try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("dvrscan_traffic_camera_vfr.DSME_0001.json"))) as! [String: Any]
        let (start, end) = (sidecar["startPTSSeconds"] as! Double, sidecar["endPTSSeconds"] as! Double)
        let frame = 1 / 16.725
        XCTAssertEqual(start, sidecar["startSeconds"] as! Double, accuracy: frame)
        XCTAssertEqual(end, sidecar["endSeconds"] as! Double, accuracy: frame)

        let sourcePackets = try ClipInspection.videoPackets(source)
        let clipPackets = try ClipInspection.videoPackets(dir.appendingPathComponent("dvrscan_traffic_camera_vfr.DSME_0001.mp4").path)
        let keyframe = try XCTUnwrap(sourcePackets.filter { $0.isKey && ($0.pts ?? .infinity) <= start }.last)
        XCTAssertEqual(clipPackets.first?.hash, keyframe.hash)
        let lastShown = try XCTUnwrap(sourcePackets.filter { ($0.pts ?? .infinity) < end }.max { $0.pts! < $1.pts! })
        XCTAssertTrue(clipPackets.contains { $0.hash == lastShown.hash })
    }

    /// PTS mode is dvr-scan's for one input; several inputs and `tune` are refused with the option named.
    func testUsePTSRefusesSeveralInputsAndTune() throws {
        let out = try scan([video, video, "-so", "--use-pts"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("use-pts"), out.stderr)

        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("pts.cfg")
        try "use-pts = yes\n".write(to: config, atomically: true, encoding: .utf8)
        let tune = try ProcessRunner.run([TestPaths.executable.path, "tune", video, "-c", config.path, "--grid", "threshold=0.1,0.2"])
        XCTAssertNotEqual(tune.status, 0)
        XCTAssertTrue(tune.stderr.contains("use-pts"), tune.stderr)
    }

    /// `-s FILE` writes the regions as dvr-scan does, in the `-d` folder and clamped to the picture: dvr-scan 1.8.2.1
    /// wrote exactly these two lines for `-a 100 100 600 100 400 500 -roi 31 32 210 127` on this 640x480 video (500 is
    /// clamped to 480). Loading the file with `-R` gives the same events as the options did.
    func testSaveRegionWritesDvrScansRegionFile() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let box = TestPaths.sharedVideos.appendingPathComponent("opencv_doc_box.mp4").path
        let regions = ["-a", "100", "100", "600", "100", "400", "500", "-roi", "31", "32", "210", "127"]
        let saved = try scan([box, "-so", "-q", "-d", dir.path, "-s", "regions.txt"] + regions)
        XCTAssertEqual(saved.status, 0, saved.stderr)
        let file = dir.appendingPathComponent("regions.txt")
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "100 100 600 100 400 480\n31 32 241 32 241 159 31 159\n")
        let loaded = try scan([box, "-so", "-q", "-R", file.path])
        XCTAssertEqual(loaded.status, 0, loaded.stderr)
        XCTAssertFalse(saved.stdout.isEmpty)
        XCTAssertEqual(loaded.stdout, saved.stdout)

        let unwritable = try scan([box, "-so", "-s", "/nonexistent-folder/regions.txt"] + regions)
        XCTAssertNotEqual(unwritable.status, 0)
        XCTAssertTrue(unwritable.stderr.contains("/nonexistent-folder/regions.txt"), unwritable.stderr)
    }

    /// `--logfile FILE` appends what the scan prints and its log (at the `-v` level) to FILE, run after run, and an
    /// error too; a log file that cannot be created stops the scan with its path named.
    func testLogfileAppendsOutputLogAndErrors() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("scan.log").path
        let box = TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path
        let first = try scan([box, "-so", "-q", "--logfile", log, "-v", "info"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try scan([box, "-so", "-q", "--logfile", log])
        XCTAssertEqual(second.status, 0, second.stderr)
        let failed = try scan([dir.appendingPathComponent("missing.mp4").path, "-so", "--logfile", log])
        XCTAssertNotEqual(failed.status, 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: first.stdout).count - 1, 2, text)
        XCTAssertEqual(text.components(separatedBy: "info seccam.scan: motion event started").count - 1, 1, text)
        XCTAssertTrue(text.contains("Error: ") && text.contains("missing.mp4"), text)

        let unwritable = try scan([box, "-so", "--logfile", "/nonexistent-folder/scan.log"])
        XCTAssertNotEqual(unwritable.status, 0)
        XCTAssertTrue(unwritable.stderr.contains("/nonexistent-folder/scan.log"), unwritable.stderr)
    }

    /// `-o FILE` (dvr-scan's single output): every event's frames, in order, re-encoded into one file in the `-d`
    /// folder, no per-event clips or sidecars. Frame n of the file after the first event's frames is the second
    /// event's first frame. `-o` with `-so`, with `-m copy` or with another extension is refused.
    func testSingleOutputFileHoldsEveryEventsFrames() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let people = TestPaths.sharedVideos.appendingPathComponent("intel_one-by-one-person-detection.mp4").path
        let out = try scan([people, "-et", "45s", "-df", "4", "-o", "all.mp4", "-d", dir.path, "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let result = try JSONDecoder().decode(ScanResult.self, from: Data(out.stdout.utf8))
        XCTAssertGreaterThanOrEqual(result.events.count, 2)
        let file = dir.appendingPathComponent("all.mp4").path
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["all.mp4"])
        XCTAssertTrue(result.events.allSatisfy { $0.clipPath == file })
        let counted = try ProcessRunner.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                                             "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file])
        XCTAssertEqual(Int(counted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
                       result.events.reduce(0) { $0 + $1.endFrame - $1.startFrame })

        func gray(_ path: String, frame n: Int) throws -> [UInt8] {
            let raw = dir.appendingPathComponent("frame.gray")
            let run = try ProcessRunner.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-vf", "select=eq(n\\,\(n))", "-frames:v", "1",
                                             "-f", "rawvideo", "-pix_fmt", "gray", raw.path])
            XCTAssertEqual(run.status, 0, run.stderr)
            defer { try? FileManager.default.removeItem(at: raw) }
            return [UInt8](try Data(contentsOf: raw))
        }
        let first = result.events[0], second = result.events[1]
        let ours = try gray(file, frame: first.endFrame - first.startFrame), source = try gray(people, frame: second.startFrame)
        XCTAssertEqual(ours.count, source.count)
        let mean = Double(zip(ours, source).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, source.count))
        XCTAssertLessThan(mean, 4, "the second event starts right after the first event's frames")

        // A file where the output's folder should be is named before anything is scanned.
        let blocker = dir.appendingPathComponent("blocker").path
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let blocked = try scan([people, "-et", "2s", "-o", blocker + "/all.mp4"])
        XCTAssertNotEqual(blocked.status, 0)
        XCTAssertTrue(blocked.stderr.contains("cannot create the clip folder \(blocker): it is a file, not a folder"), blocked.stderr)

        for (extra, expected) in [(["-so"], "-so"), (["-m", "copy"], "-m encode"), ([String](), ".mp4 or .mkv")] {
            let name = extra.isEmpty ? "all.avi" : "x.mp4"
            let refused = try scan([people, "-et", "2s", "-o", name, "-d", dir.path] + extra)
            XCTAssertNotEqual(refused.status, 0, "\(extra)")
            XCTAssertTrue(refused.stderr.contains(expected), refused.stderr)
        }
    }

    /// libavdevice and the ~100 libraries it pulls in are loaded only for capture devices, not at every start.
    func testTheEngineDoesNotLoadLibavdeviceAtStart() throws {
        let libraries = try ProcessRunner.run(["ldd", TestPaths.executable.path])
        XCTAssertEqual(libraries.status, 0, libraries.stderr)
        XCTAssertTrue(libraries.stdout.contains("libavformat"), libraries.stdout)
        XCTAssertFalse(libraries.stdout.contains("libavdevice"), libraries.stdout)
    }

    func testJSONAndScoresCSV() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("scores.csv")
        let out = try scan([video, "-so", "--json", "--scores", csv.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        let result = try JSONDecoder().decode(ScanResult.self, from: Data(out.stdout.utf8))
        XCTAssertEqual(result.events.count, 1)
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "frame,pts,score,above")
        XCTAssertEqual(rows.count - 1, result.framesProcessed)
        let peak = rows.dropFirst().map { $0.split(separator: ",") }.max { Double($0[2])! < Double($1[2])! }!
        XCTAssertEqual(Double(peak[2]), result.events[0].peakScore)
    }

    func testBadOptionsGiveClearErrors() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let badConfig = dir.appendingPathComponent("bad.cfg")
        try "threshold = 0.2\nno-such-key = 1\n".write(to: badConfig, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["-k", "4"], "kernel"),
            (["-a", "10", "10", "20", "20"], "at least 3 points"),
            (["-t", "-0.5"], "threshold"),
            (["-c", badConfig.path], "unknown config key 'no-such-key'"),
            (["-l", "1.5x"], "-l/--min-event-length"),
            (["-b", "KNN"], "MOG2 or CNT"),
        ]
        for (arguments, expected) in cases {
            let out = try scan([video, "-so"] + arguments)
            XCTAssertNotEqual(out.status, 0, "\(arguments) should fail")
            XCTAssertTrue(out.stderr.contains(expected), "\(arguments): \(out.stderr)")
        }
        let missing = try scan(["/no/such/video.mp4", "-so"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("/no/such/video.mp4") && missing.stderr.contains("No such file"), missing.stderr)
    }

    func testTruncatedInputReportsEventsThenFails() throws {
        let out = try scan([TestPaths.fixtures.appendingPathComponent("truncated.mp4").path, "-so"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stdout.contains("Processed 95 frames"), out.stdout)
        XCTAssertTrue(out.stderr.contains("truncated"), out.stderr)
    }

    func testConfigFileAppliesAndCommandLineWins() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("dvr-scan.cfg")
        try "# comment\nthreshold = 300\nmin-event-length = 0.2\n".write(to: config, atomically: true, encoding: .utf8)
        XCTAssertEqual(try scan([video, "-so", "-q", "-c", config.path]).stdout, "")
        let overridden = try scan([video, "-so", "-q", "-c", config.path, "-t", "0.15", "-l", "0.1s"])
        XCTAssertEqual(overridden.stdout, try TestPaths.referenceTimecodes("lowmotion_intel_one-by-one_101s-116s.mp4") + "\n")
    }

    /// dvr-scan's output keys in a `-c` file apply when the command line does not set them.
    func testConfigFileOutputKeys() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let timecodes = try TestPaths.referenceTimecodes("lowmotion_intel_one-by-one_101s-116s.mp4") + "\n"
        // scan-only + quiet-mode: only the timecode line, and no clip anywhere.
        let quietConfig = dir.appendingPathComponent("quiet.cfg")
        try "scan-only = yes\nquiet-mode = Yes\n".write(to: quietConfig, atomically: true, encoding: .utf8)
        let quiet = try ProcessRunner.run([TestPaths.executable.path, "scan", video, "-c", quietConfig.path], in: dir)
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stdout, timecodes)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasSuffix(".mp4") })

        // output-dir: the clips go there; -d on the command line wins.
        let clipsConfig = dir.appendingPathComponent("clips.cfg")
        let fromFile = dir.appendingPathComponent("from-file")
        let fromFlag = dir.appendingPathComponent("from-flag")
        try "output-dir = \(fromFile.path)\nquiet-mode = yes\n".write(to: clipsConfig, atomically: true, encoding: .utf8)
        let written = try scan([video, "-c", clipsConfig.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: fromFile.path).contains { $0.hasSuffix(".mp4") })
        let overridden = try scan([video, "-c", clipsConfig.path, "-d", fromFlag.path])
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: fromFlag.path).contains { $0.hasSuffix(".mp4") })

        // An overlay key needs re-encoded clips, as its flag does; a yes/no key with another value is refused.
        let overlayConfig = dir.appendingPathComponent("overlay.cfg")
        try "bounding-box = yes\n".write(to: overlayConfig, atomically: true, encoding: .utf8)
        let overlay = try scan([video, "-c", overlayConfig.path, "-d", fromFlag.path])
        XCTAssertNotEqual(overlay.status, 0)
        XCTAssertTrue(overlay.stderr.contains("-bb/--bounding-box needs -m encode"), overlay.stderr)
        let badConfig = dir.appendingPathComponent("bad.cfg")
        try "scan-only = maybe\n".write(to: badConfig, atomically: true, encoding: .utf8)
        let bad = try scan([video, "-c", badConfig.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("bad.cfg: config key 'scan-only': expected yes or no, got 'maybe'"), bad.stderr)
    }

    /// `probe` tells that a stream is turned for display, and the size the detector sees.
    func testProbeShowsTheDisplayRotation() throws {
        let turned = TestPaths.fixtures.appendingPathComponent("moving_box_rot90.mp4").path
        let out = try ProcessRunner.run([TestPaths.executable.path, "probe", turned])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("320x240, yuv420p"), out.stdout)
        XCTAssertTrue(out.stdout.contains("turned 270° clockwise for display (detected as 240x320)"), out.stdout)
        let plain = try ProcessRunner.run([TestPaths.executable.path, "probe", TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path])
        XCTAssertFalse(plain.stdout.contains("turned"), plain.stdout)
    }

    func testCredentialsNeverAppearInLogsOrErrors() throws {
        let port = ProcessRunner.freePort()
        for command in ["probe", "scan"] {
            let out = try ProcessRunner.run([TestPaths.executable.path, command, "rtsp://admin:Sup3rSecret@127.0.0.1:\(port)/live",
                                             "--log-level", "trace", "--timeout", "2"] + (command == "scan" ? ["-so"] : []))
            XCTAssertNotEqual(out.status, 0)
            XCTAssertTrue(out.stderr.contains("Connection refused"), out.stderr)
            XCTAssertFalse((out.stdout + out.stderr).contains("Sup3rSecret"), out.stderr)
        }
    }
}
