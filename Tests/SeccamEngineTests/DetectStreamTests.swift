import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `run` with a detect sub-stream: detection on a 320x180 RTSP stream, clips cut from a 1280x720 RTSP stream of
/// the same content (Fixtures/moving_box_180p.mp4 and _720p.mp4: motion 4.0–6.0 s in a 10 s loop, keyframe
/// every second), matched by time.
///
/// Tolerance: both rtsp-serve processes start playing at the file's beginning when the engine connects, so the
/// main stream's time t (from its first packet) shows the file's time t. The engine maps detect time to main time
/// through wall-clock origins estimated from packet/frame arrivals; their error is the difference of the two
/// streams' arrival delays (loopback: milliseconds) plus the detect decoder's delay (one thread, a frame or two
/// of B-frame reordering: ≤ 0.1 s at 25 fps). ±0.5 s is several times that and still well below the 2 s event.
final class DetectStreamTests: XCTestCase {
    private var processes: [Process] = []
    private var directory: URL!
    private let tolerance = 0.5

    override func setUpWithError() throws {
        directory = try TestPaths.makeTemporaryDirectory()
    }

    override func tearDown() {
        processes.forEach { ProcessRunner.stop($0, grace: 2) }
        try? FileManager.default.removeItem(at: directory)
    }

    private func server(_ fixture: String, port: Int = ProcessRunner.freePort()) throws -> (url: String, process: Process, port: Int) {
        let log = directory.appendingPathComponent("rtsp-\(port)-\(processes.count).log")
        let process = try ProcessRunner.start(
            [TestPaths.sharedTools.appendingPathComponent("rtsp-serve").path,
             TestPaths.fixtures.appendingPathComponent(fixture).path, "--port", "\(port)"], log: log)
        processes.append(process)
        XCTAssertTrue(ProcessRunner.waitForText("rtsp-serve: rtsp://", in: log, timeout: 60), "rtsp-serve did not start")
        return ("rtsp://127.0.0.1:\(port)/cam", process, port)
    }

    private var engineLog: URL { directory.appendingPathComponent("engine.log") }

    private func logLines(containing text: String) -> [String] { LiveRunFiles.lines(of: engineLog, containing: text) }

    private func files(suffix: String) -> [String] {
        LiveRunFiles.files(in: directory.appendingPathComponent("out"), camera: "dual", suffix: suffix)
    }

    private func waitFor(_ what: String, timeout: Double, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(), Date() < deadline { usleep(100_000) }
        XCTAssertTrue(condition(), "timed out waiting for \(what)")
    }

    private func startEngine(main: String, detect: String) throws -> Process {
        let yaml = """
            output: \(directory.appendingPathComponent("out").path)
            stall-timeout: 5s
            cameras:
              - name: dual
                source: \(main)
                detect-source: \(detect)
                threshold: 0.15
                thumbnails: true

            """
        let config = directory.appendingPathComponent("seccam.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let engine = try ProcessRunner.start([TestPaths.executable.path, "run", "--config", config.path, "--log-level", "info"],
                                             log: engineLog)
        processes.append(engine)
        return engine
    }

    /// What `scan` finds on the 180p file with the same settings.
    private func referenceEvent() throws -> ScannedEvent {
        var options = ScanOptions()
        options.detector.threshold = 0.15
        let result = try ScanSession(inputs: [SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box_180p.mp4").path)],
                                     options: options).run()
        XCTAssertEqual(result.events.count, 1)
        return try XCTUnwrap(result.events.first)
    }

    private func sidecar(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    private func size(_ path: String) throws -> String {
        try ProcessRunner.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                               "-of", "csv=p=0:s=x", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testClipsAreCutFromTheMainStreamAtTheEventsOfTheDetectStream() throws {
        let reference = try referenceEvent()
        let detect = try server("moving_box_180p.mp4")
        let main = try server("moving_box_720p.mp4")
        let engine = try startEngine(main: main.url, detect: detect.url)
        waitFor("two clips", timeout: 60) { files(suffix: ".json").count >= 2 }
        kill(engine.processIdentifier, SIGTERM)
        engine.waitUntilExit()
        XCTAssertEqual(engine.terminationStatus, 0)

        let sidecars = files(suffix: ".json")
        XCTAssertGreaterThanOrEqual(sidecars.count, 2)
        for (n, path) in sidecars.prefix(2).enumerated() {
            let record = try sidecar(path)
            let clip = (path as NSString).deletingLastPathComponent + "/" + (record["clip"] as? String ?? "")
            XCTAssertEqual(try size(clip), "1280x720", clip)
            let packets = try ClipInspection.videoPackets(clip)
            XCTAssertTrue(packets.first?.isKey ?? false, "\(clip) does not start on a keyframe")
            XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip)
            XCTAssertEqual(record["detectSource"] as? String, detect.url)
            XCTAssertEqual(record["source"] as? String, main.url)
            // The thumbnail is the detect stream's picture (320x180), moved beside the clip under its name.
            let thumbnail = (clip as NSString).deletingPathExtension + ".jpg"
            XCTAssertEqual(record["thumbnail"] as? String, (thumbnail as NSString).lastPathComponent)
            XCTAssertEqual(try size(thumbnail), "320x180", thumbnail)

            // The detect stream's event is the file's event, frame for frame, one 10 s loop (250 frames) later each time.
            let loop = 10.0 * Double(n)
            XCTAssertEqual(record["startFrame"] as? Int, reference.startFrame + 250 * n)
            XCTAssertEqual(record["endFrame"] as? Int, reference.endFrame + 250 * n)

            // In the main stream's timeline (which shows the same file time), the clip is cut at the same times.
            let requested = try XCTUnwrap(record["clipRequestedStartSeconds"] as? Double)
            let clipStart = try XCTUnwrap(record["clipStartSeconds"] as? Double)
            let clipEnd = try XCTUnwrap(record["clipEndSeconds"] as? Double)
            let offset = try XCTUnwrap(record["streamOffsetSeconds"] as? Double)
            print(String(format: "detect-stream clip %d: stream offset %.3f s; requested start %.3f (event %.3f, error %+.3f); "
                         + "keyframe %.3f; end %.3f (event %.3f, error %+.3f); clip duration %.3f",
                         n + 1, offset, requested, reference.startPTSSeconds + loop, requested - reference.startPTSSeconds - loop,
                         clipStart, clipEnd, reference.endPTSSeconds + loop, clipEnd - reference.endPTSSeconds - loop,
                         try ClipInspection.videoDuration(clip)))
            XCTAssertEqual(requested, reference.startPTSSeconds + loop, accuracy: tolerance)
            XCTAssertEqual(clipEnd, reference.endPTSSeconds + loop, accuracy: tolerance)
            XCTAssertLessThanOrEqual(clipStart, requested + 1e-6)
            XCTAssertGreaterThan(clipStart, requested - 1.05, "more than a keyframe interval of extra pre-roll")
            // The clip covers the event: its length is end − keyframe (one frame of container rounding).
            XCTAssertEqual(try ClipInspection.videoDuration(clip), clipEnd - clipStart, accuracy: 0.1)
            XCTAssertGreaterThanOrEqual(try ClipInspection.videoDuration(clip) + 0.05, reference.endPTSSeconds - reference.startPTSSeconds)
        }
    }

    func testDetectStreamFailureFinishesTheOpenClipAndReconnects() throws {
        let detect = try server("moving_box_180p.mp4")
        let main = try server("moving_box_720p.mp4")
        let engine = try startEngine(main: main.url, detect: detect.url)
        // Kill the detect server while the first event's clip is being recorded.
        waitFor("a clip to start", timeout: 60) { !logLines(containing: "clip started from the main stream").isEmpty }
        kill(detect.process.processIdentifier, SIGKILL)
        detect.process.waitUntilExit()
        waitFor("the session to end", timeout: 15) {
            !logLines(containing: "camera reconnecting after backoff").isEmpty
        }
        waitFor("the open clip's sidecar", timeout: 15) { !files(suffix: ".json").isEmpty }
        let path = try XCTUnwrap(files(suffix: ".json").first)
        let record = try sidecar(path)
        let clip = (path as NSString).deletingLastPathComponent + "/" + (record["clip"] as? String ?? "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: clip))
        XCTAssertTrue(files(suffix: ".partial").isEmpty)
        XCTAssertEqual(try size(clip), "1280x720")
        XCTAssertTrue(try ClipInspection.videoPackets(clip).first?.isKey ?? false)
        XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip)
        XCTAssertGreaterThan(try ClipInspection.videoDuration(clip), 1)

        // The detect server comes back on its port: the pair reconnects and records again.
        _ = try server("moving_box_180p.mp4", port: detect.port)
        waitFor("a second clip after the reconnect", timeout: 60) { files(suffix: ".json").count >= 2 }
        XCTAssertGreaterThanOrEqual(logLines(containing: "camera connecting").count, 2)
        kill(engine.processIdentifier, SIGTERM)
        engine.waitUntilExit()
        XCTAssertEqual(engine.terminationStatus, 0)
        for path in files(suffix: ".json") {
            let record = try sidecar(path)
            let clip = (path as NSString).deletingLastPathComponent + "/" + (record["clip"] as? String ?? "")
            XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip)
        }
    }
}
