import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `seccam-engine run --config` as systemd runs it: notify protocol, SIGHUP reload, stalls, SIGKILL.
/// Cameras are real RTSP servers (../shared/tools/rtsp-serve on 127.0.0.1) looping Fixtures/moving_box.mp4
/// (10 s, motion from 4 s to 6 s).
final class ServiceRunTests: XCTestCase {
    private var processes: [Process] = []
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestPaths.makeTemporaryDirectory()
    }

    override func tearDown() {
        processes.forEach { ProcessRunner.stop($0, grace: 2) }
        try? FileManager.default.removeItem(at: directory)
    }

    private func camera(_ fixture: String = "moving_box.mp4") throws -> RTSPTestCamera {
        let camera = try RTSPTestCamera(fixture: fixture, in: directory)
        processes.append(camera.process)
        return camera
    }

    private var engineLog: URL { directory.appendingPathComponent("engine.log") }

    private func startEngine(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let engine = try ProcessRunner.start([TestPaths.executable.path, "run"] + arguments + ["--log-level", "info"],
                                             log: engineLog, environment: environment)
        processes.append(engine)
        return engine
    }

    private func logLines(containing text: String) -> [String] { LiveRunFiles.lines(of: engineLog, containing: text) }

    private func files(_ camera: String, suffix: String) -> [String] {
        LiveRunFiles.files(in: directory.appendingPathComponent("out"), camera: camera, suffix: suffix)
    }

    private func waitFor(_ what: String, timeout: Double, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(), Date() < deadline { usleep(100_000) }
        XCTAssertTrue(condition(), "timed out waiting for \(what)")
    }

    private func writeConfig(_ cameras: [(name: String, url: String, threshold: String)], extra: String = "") throws -> URL {
        var yaml = "output: \(directory.appendingPathComponent("out").path)\nstall-timeout: 5s\n\(extra)cameras:\n"
        for camera in cameras { yaml += "  - name: \(camera.name)\n    source: \(camera.url)\n    threshold: \(camera.threshold)\n" }
        let url = directory.appendingPathComponent("seccam.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testConfigRunNotifiesSystemdAndSIGHUPRestartsOnlyChangedCameras() throws {
        let a = try camera()
        let b = try camera()
        let config = try writeConfig([("a", a.url, "0.15"), ("b", b.url, "0.15")])
        let notify = try NotifySocket(directory: directory)
        let engine = try startEngine(["--config", config.path],
                                     environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"])
        XCTAssertTrue(notify.waitFor("READY=1", timeout: 30), "no READY=1")
        XCTAssertTrue(notify.waitFor("WATCHDOG=1", timeout: 5), "no WATCHDOG=1 within 5 s (WatchdogSec=2)")
        waitFor("a clip from camera a", timeout: 45) { !files("a", suffix: ".mp4").isEmpty }

        // Only b's threshold changes: b restarts, a keeps its pipeline (one connect in the log).
        _ = try writeConfig([("a", a.url, "0.15"), ("b", b.url, "0.3")])
        kill(engine.processIdentifier, SIGHUP)
        waitFor("the reload", timeout: 15) { !logLines(containing: "config reloaded").isEmpty }
        let reload = try XCTUnwrap(logLines(containing: "config reloaded").first)
        XCTAssertTrue(reload.contains("cameras.restarted=b"), reload)
        XCTAssertEqual(logLines(containing: "camera.id=a").filter { $0.contains("camera connecting") }.count, 1)
        waitFor("b to connect again", timeout: 15) {
            logLines(containing: "camera.id=b").filter { $0.contains("camera connecting") }.count == 2
        }

        // A broken config is refused and the cameras keep running.
        try "output: /tmp\ncameras:\n  - name: a\n    source: nope\n".write(to: config, atomically: true, encoding: .utf8)
        kill(engine.processIdentifier, SIGHUP)
        waitFor("the refusal", timeout: 15) { !logLines(containing: "config reload refused").isEmpty }
        XCTAssertTrue(engine.isRunning)
        XCTAssertTrue(notify.waitFor("WATCHDOG=1", timeout: 5), "watchdog pings stopped after a refused reload")

        kill(engine.processIdentifier, SIGTERM)
        XCTAssertTrue(notify.waitFor("STOPPING=1", timeout: 10))
        engine.waitUntilExit()
        XCTAssertEqual(engine.terminationStatus, 0)
    }

    func testStalledSourceIsDetectedWithinStallTimeoutAndReconnected() throws {
        let a = try camera()
        let engine = try startEngine(["--camera", "a=\(a.url)", "--output", directory.appendingPathComponent("out").path,
                                      "--stall-timeout", "3"])
        waitFor("camera a to stream", timeout: 45) { !files("a", suffix: ".mp4").isEmpty }
        // Freeze the server: the TCP connection stays open but no packet comes.
        kill(a.process.processIdentifier, SIGSTOP)
        let frozenAt = Date()
        waitFor("the stall to be noticed", timeout: 15) { !logLines(containing: "camera stream failed").isEmpty }
        let noticedAfter = Date().timeIntervalSince(frozenAt)
        XCTAssertLessThan(noticedAfter, 3 + 2.5, "stall noticed \(noticedAfter) s after the freeze (stall-timeout 3 s)")
        XCTAssertTrue(logLines(containing: "camera stream failed").first?.contains("timedOut") ?? false,
                      logLines(containing: "camera stream failed").joined())
        // Thawed, the camera is reconnected and records again.
        let before = files("a", suffix: ".mp4").count
        kill(a.process.processIdentifier, SIGCONT)
        waitFor("recording after the thaw", timeout: 60) { files("a", suffix: ".mp4").count > before }
        XCTAssertTrue(engine.isRunning)
    }

    func testSIGKILLDuringAnEventLeavesNoCorruptFinalClipAndTheNextStartRecoversIt() throws {
        let a = try camera()
        let output = directory.appendingPathComponent("out").path
        let engine = try startEngine(["--camera", "a=\(a.url)", "--output", output, "-tp", "8s"])
        waitFor("a clip being written", timeout: 45) { !files("a", suffix: ".partial").isEmpty }
        usleep(1_500_000)  // a fragment or two on disk
        kill(engine.processIdentifier, SIGKILL)
        engine.waitUntilExit()
        let partials = files("a", suffix: ".partial")
        XCTAssertEqual(partials.count, 1)
        for clip in files("a", suffix: ".mp4") { XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip) }
        let finalBefore = Set(files("a", suffix: ".mp4"))

        // The next start finalizes the leftover before recording.
        let again = try startEngine(["--camera", "a=\(a.url)", "--output", output])
        waitFor("the partial to be recovered", timeout: 30) { files("a", suffix: ".partial").isEmpty }
        let recovered = Set(files("a", suffix: ".mp4")).subtracting(finalBefore)
        XCTAssertEqual(recovered.count, 1, "\(recovered)")
        for clip in recovered {
            XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip)
            XCTAssertTrue(try XCTUnwrap(ClipInspection.videoPackets(clip).first).isKey)
        }
        kill(again.processIdentifier, SIGTERM)
        again.waitUntilExit()
        XCTAssertEqual(again.terminationStatus, 0)
    }

    func testMetricsHealthSpoolAndOfflineNotice() throws {
        let a = try camera()
        let port = ProcessRunner.freePort()
        let spool = directory.appendingPathComponent("spool")
        let config = try writeConfig(
            [("a", a.url, "0.15"), ("dead", "rtsp://127.0.0.1:\(ProcessRunner.freePort())/none", "0.15")],
            extra: "spool: \(spool.path)\noffline-after: 2s\nmetrics:\n  listen: 127.0.0.1:\(port)\n")
        let engine = try startEngine(["--config", config.path])
        waitFor("a clip from camera a", timeout: 45) { !files("a", suffix: ".mp4").isEmpty }
        // Entries appear by renaming a hidden staging folder (`.enqueue-…`) that is built in pending/ itself.
        let pendingEntries = {
            ((try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("pending").path)) ?? [])
                .filter { !$0.hasPrefix(".") }.sorted()
        }
        waitFor("the clip in the spool", timeout: 10) { !pendingEntries().isEmpty }

        // The spooled clip is the recorded clip (same bytes), with its sidecar and a manifest.
        let entry = try XCTUnwrap(pendingEntries().first)
        let entryFolder = spool.appendingPathComponent("pending/\(entry)")
        let entryFiles = try FileManager.default.contentsOfDirectory(atPath: entryFolder.path)
        let clipName = try XCTUnwrap(entryFiles.first { $0.hasSuffix(".mp4") })
        let recorded = try XCTUnwrap(files("a", suffix: ".mp4").first { $0.hasSuffix(clipName) })
        XCTAssertEqual(try Data(contentsOf: entryFolder.appendingPathComponent(clipName)), try Data(contentsOf: URL(fileURLWithPath: recorded)))
        XCTAssertTrue(entryFiles.contains("manifest.json"), "\(entryFiles)")

        let metrics = try ProcessRunner.run(["curl", "-sf", "http://127.0.0.1:\(port)/metrics"])
        XCTAssertEqual(metrics.status, 0, metrics.stderr)
        func value(_ name: String, _ camera: String) -> Double? {
            metrics.stdout.split(separator: "\n").first { $0.hasPrefix("\(name){camera=\"\(camera)\"}") }
                .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
        }
        XCTAssertGreaterThan(value("seccam_camera_frames_decoded_total", "a") ?? 0, 100, metrics.stdout)
        XCTAssertGreaterThanOrEqual(value("seccam_camera_events_total", "a") ?? 0, 1)
        XCTAssertEqual(value("seccam_camera_up", "a"), 1)
        XCTAssertEqual(value("seccam_camera_up", "dead"), 0)
        XCTAssertGreaterThan(value("seccam_camera_reconnects_total", "dead") ?? 0, 0)
        XCTAssertEqual(value("seccam_camera_frames_decoded_total", "dead"), 0)
        XCTAssertTrue(metrics.stdout.contains("seccam_spool_pending_entries"), metrics.stdout)
        XCTAssertTrue(metrics.stdout.contains("seccam_disk_free_bytes"), metrics.stdout)

        let health = try ProcessRunner.run(["curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/healthz"])
        XCTAssertTrue(health.stdout.hasSuffix("\n200"), health.stdout)
        XCTAssertTrue(health.stdout.contains("\"name\":\"dead\""), health.stdout)

        // The dead camera is reported offline once (offline-after 2 s), never twice.
        waitFor("the offline notice", timeout: 20) { !logLines(containing: "camera offline").isEmpty }
        XCTAssertEqual(logLines(containing: "camera offline").count, 1)
        XCTAssertTrue(logLines(containing: "camera offline").first?.contains("camera.id=dead") ?? false)
        XCTAssertTrue(engine.isRunning)
    }

    /// A file as a camera: read at its own pace (10 s of video take 10 s) and played in a loop.
    func testAFileCameraPlaysInRealTimeAndLoops() throws {
        let file = TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path
        let started = Date()
        let engine = try startEngine(["--camera", "loop=\(file)", "--output", directory.appendingPathComponent("out").path])
        waitFor("the first pass to end", timeout: 30) { !logLines(containing: "camera stream ended").isEmpty }
        let firstPass = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(firstPass, 9.5, "10 s of video were read in \(firstPass) s: not real time")
        XCTAssertLessThan(firstPass, 16)
        // The loop goes on without a backoff, and records the motion of the second pass too.
        waitFor("a clip from the second pass", timeout: 20) { files("loop", suffix: ".mp4").count >= 2 }
        XCTAssertTrue(logLines(containing: "reconnecting after backoff").isEmpty, "a loop is not a reconnect")
        XCTAssertTrue(engine.isRunning)
    }

    /// `thumbnails: true`: each event's best frame is saved as a JPEG beside its clip (same name), named in the
    /// clip's sidecar and in the event.end webhook, and queued for upload like the clip.
    func testThumbnailsAreWrittenBesideTheClipNamedInTheSidecarAndSpooled() throws {
        let file = TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path
        let spool = directory.appendingPathComponent("spool")
        let hooks = try WebhookTestServer(secret: "s", failFirst: 0)
        defer { hooks.stop() }
        let yaml = "output: \(directory.appendingPathComponent("out").path)\nspool: \(spool.path)\n"
            + "webhook:\n  url: http://127.0.0.1:\(hooks.port)/hook\n  secret: s\n"
            + "cameras:\n  - name: loop\n    source: \(file)\n    thumbnails: true\n"
        let config = directory.appendingPathComponent("seccam.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let engine = try startEngine(["--config", config.path])
        waitFor("the first clip's sidecar", timeout: 30) { !files("loop", suffix: ".json").isEmpty }
        let sidecar = try XCTUnwrap(files("loop", suffix: ".json").first)
        let clip = (sidecar as NSString).deletingPathExtension + ".mp4"
        let thumbnail = (sidecar as NSString).deletingPathExtension + ".jpg"
        XCTAssertTrue(FileManager.default.fileExists(atPath: clip), clip)
        let probe = try ProcessRunner.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height",
                                           "-of", "csv=p=0", thumbnail])
        XCTAssertEqual(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "mjpeg,320,240", probe.stderr)
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sidecar))) as? [String: Any])
        XCTAssertEqual(record["thumbnail"] as? String, (thumbnail as NSString).lastPathComponent)
        let spooledNames = {
            let pending = spool.appendingPathComponent("pending")
            return ((try? FileManager.default.contentsOfDirectory(atPath: pending.path)) ?? []).filter { !$0.hasPrefix(".") }
                .flatMap { (try? FileManager.default.contentsOfDirectory(atPath: pending.appendingPathComponent($0).path)) ?? [] }
        }
        waitFor("the thumbnail in the spool", timeout: 10) { spooledNames().contains((thumbnail as NSString).lastPathComponent) }
        XCTAssertTrue(spooledNames().contains((clip as NSString).lastPathComponent))
        let named = "\"thumbnail\":\"\((thumbnail as NSString).lastPathComponent)\""
        waitFor("the event.end webhook", timeout: 10) { hooks.requests().contains { $0.body.contains("\"event.end\"") } }
        XCTAssertTrue(hooks.requests().contains { $0.body.contains("\"event.end\"") && $0.body.contains(named) }, "\(hooks.requests())")
        XCTAssertTrue(engine.isRunning)
    }

    /// MQTT (Home Assistant style): the camera's state and events reach a real broker (Debian's mosquitto).
    func testEventsAndStatesArePublishedOverMQTT() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/mosquitto_sub")
        else { throw XCTSkip("mosquitto is not installed (make deps installs it)") }
        let port = ProcessRunner.freePort()
        let brokerConfig = directory.appendingPathComponent("mosquitto.conf")
        try "listener \(port) 127.0.0.1\nallow_anonymous true\n".write(to: brokerConfig, atomically: true, encoding: .utf8)
        let broker = try ProcessRunner.start(["/usr/sbin/mosquitto", "-c", brokerConfig.path], log: directory.appendingPathComponent("broker.log"))
        processes.append(broker)
        usleep(500_000)
        let messages = directory.appendingPathComponent("mqtt.log")
        let subscriber = try ProcessRunner.start(["/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", "\(port)", "-t", "seccam/#", "-v"], log: messages)
        processes.append(subscriber)

        let a = try camera()
        let config = try writeConfig([("door", a.url, "0.15")], extra: "mqtt:\n  host: 127.0.0.1\n  port: \(port)\n")
        _ = try startEngine(["--config", config.path])
        func received() -> String { (try? String(contentsOf: messages, encoding: .utf8)) ?? "" }
        waitFor("an event.start message and the motion state", timeout: 45) {
            received().contains("seccam/door/state motion") && received().contains("\"event.start\"")
        }
        waitFor("the idle state after the event", timeout: 20) { received().contains("seccam/door/state idle") }
        XCTAssertTrue(received().split(separator: "\n").contains { $0.hasPrefix("seccam/door/event {") }, received())
    }

    /// A B-frame H.264 camera (the shared traffic video over RTSP): FFmpeg's RTSP input gives the session's first
    /// keyframe no timestamps and reordered frames no dts; the clip must still be written, decode cleanly and
    /// start on that keyframe at 0.
    func testClipsFromABFrameRTSPStreamAreValid() throws {
        let camera = try RTSPTestCamera(video: TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4"), in: directory)
        processes.append(camera.process)
        let engine = try startEngine(["--camera", "traffic=\(camera.url)", "--output", directory.appendingPathComponent("out").path,
                                      "-df", "2"])
        waitFor("a clip being written", timeout: 30) { !files("traffic", suffix: ".partial").isEmpty }
        usleep(3_000_000)
        kill(engine.processIdentifier, SIGTERM)
        engine.waitUntilExit()
        XCTAssertEqual(engine.terminationStatus, 0)
        XCTAssertTrue(logLines(containing: "av_interleaved_write_frame").isEmpty, logLines(containing: "error").joined(separator: "\n"))
        let clips = files("traffic", suffix: ".mp4")
        XCTAssertFalse(clips.isEmpty)
        for clip in clips {
            XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip)
            let first = try XCTUnwrap(ClipInspection.videoPackets(clip).first)
            XCTAssertTrue(first.isKey, clip)
            XCTAssertGreaterThan(try ClipInspection.videoDuration(clip), 2, clip)
        }
    }
}
