import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `seccam-engine run` against real RTSP cameras (../shared/tools/rtsp-serve on 127.0.0.1).
final class RunCommandTests: XCTestCase {
    private var processes: [Process] = []
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestPaths.makeTemporaryDirectory()
    }

    override func tearDown() {
        processes.forEach { ProcessRunner.stop($0, grace: 2) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts rtsp-serve on a free port (stopped in tearDown).
    private func camera(_ fixture: String, once: Bool = false, port: Int? = nil) throws -> RTSPTestCamera {
        let camera = try RTSPTestCamera(fixture: fixture, in: directory, port: port, once: once)
        processes.append(camera.process)
        return camera
    }

    private func finishedClips(_ camera: String) -> [String] {
        LiveRunFiles.files(in: directory.appendingPathComponent("out"), camera: camera, suffix: ".mp4")
    }

    private func waitFor(_ what: String, timeout: Double, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(), Date() < deadline { usleep(200_000) }
        XCTAssertTrue(condition(), "timed out waiting for \(what)")
    }

    func testTwoCamerasRecordIndependentlyReconnectAndStopCleanly() throws {
        let a = try camera("moving_box.mp4")
        let b = try camera("moving_box.mp4")
        let engine = try ProcessRunner.start(
            [TestPaths.executable.path, "run", "--camera", "a=\(a.url)", "--camera", "b=\(b.url)",
             "--output", directory.appendingPathComponent("out").path, "--log-level", "info"],
            log: directory.appendingPathComponent("engine.log"))
        processes.append(engine)
        // The fixture loops every 10 s with 2 s of motion: each camera records a clip within ~20 s.
        waitFor("a clip from each camera", timeout: 60) { !finishedClips("a").isEmpty && !finishedClips("b").isEmpty }

        // Camera b's server dies: a goes on recording without a gap.
        kill(b.process.processIdentifier, SIGKILL)
        b.process.waitUntilExit()
        let aBefore = finishedClips("a").count
        let bBefore = finishedClips("b").count
        waitFor("camera a to record on while b is down", timeout: 30) { finishedClips("a").count > aBefore }

        // b comes back on the same port: it reconnects within the backoff bound and records again.
        _ = try camera("moving_box.mp4", port: b.port)
        waitFor("camera b to reconnect and record", timeout: 75) { finishedClips("b").count > bBefore }

        // SIGTERM: open clips are finished, the process exits 0 within 10 s.
        let stopAt = Date()
        kill(engine.processIdentifier, SIGTERM)
        engine.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(stopAt), 10)
        XCTAssertEqual(engine.terminationStatus, 0)
        let log = try String(contentsOf: directory.appendingPathComponent("engine.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("camera reconnecting after backoff"), log)
        for clip in finishedClips("a") + finishedClips("b") {
            XCTAssertEqual(try ClipInspection.decodeErrors(clip), "", clip)
            XCTAssertTrue(try XCTUnwrap(ClipInspection.videoPackets(clip).first).isKey, clip)
            let sidecar = String(clip.dropLast(4)) + ".json"
            let record = try JSONDecoder().decode(EventRecord.self, from: Data(contentsOf: URL(fileURLWithPath: sidecar)))
            XCTAssertNotNil(record.wallClockStart)
            XCTAssertTrue(["a", "b"].contains(record.camera))
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: directory.appendingPathComponent("out").path)
            .filter { $0.hasSuffix(".partial") }
        XCTAssertEqual(leftovers, [])
    }

    func testLiveStreamGivesTheSameEventsAsTheFile() throws {
        let file = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        let expected = try ScanSession(inputs: [SourceURL(file.path)], options: ScanOptions()).run().events
        let live = try camera("moving_box.mp4", once: true)
        let result = try ScanSession(inputs: [SourceURL(live.url)], options: ScanOptions()).run()
        XCTAssertFalse(expected.isEmpty)
        XCTAssertEqual(result.events.map { [$0.startFrame, $0.endFrame] }, expected.map { [$0.startFrame, $0.endFrame] })
    }

    func testBadCameraArgumentsAreRejected() throws {
        for (arguments, message) in [(["--camera", "nourl"], "NAME=URL"), (["--camera", "a=x", "--camera", "a=y"], "used twice"),
                                     (["--camera", "a=rtsp://u:${NO_SUCH_SECCAM_VAR}@h/x"], "NO_SUCH_SECCAM_VAR")] {
            let out = try ProcessRunner.run([TestPaths.executable.path, "run", "--output", directory.path] + arguments)
            XCTAssertNotEqual(out.status, 0)
            XCTAssertTrue(out.stderr.contains(message), out.stderr)
        }
    }
}
