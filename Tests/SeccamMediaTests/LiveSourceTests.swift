import Foundation
import SeccamMedia
import SeccamTestSupport
import XCTest

/// Real network cameras: an RTSP server (GStreamer, ../shared/tools/rtsp-serve) and an HTTP MJPEG
/// server (ffmpeg -listen), both on 127.0.0.1. After the server dies the reader must end or fail
/// within its timeout, never hang.
final class LiveSourceTests: XCTestCase {
    private func decodeThenKillServer(url: String, server: Process, readyLog: URL, readyText: String,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        defer { ProcessRunner.stop(server) }
        XCTAssertTrue(ProcessRunner.waitForText(readyText, in: readyLog, timeout: 60),
                      "server did not start: \((try? String(contentsOf: readyLog, encoding: .utf8)) ?? "")", file: file, line: line)
        var options = DemuxerOptions()
        options.timeout = .seconds(5)
        var demuxer: Demuxer?
        for _ in 0..<20 where demuxer == nil {  // the HTTP listener may need a moment after its banner
            demuxer = try? Demuxer(source: SourceURL(url), options: options)
            if demuxer == nil { usleep(250_000) }
        }
        let reader = try VideoFrameReader(demuxer: try XCTUnwrap(demuxer, "could not connect to \(url)", file: file, line: line))
        var frame = try Frame()
        var decoded = 0
        while decoded < 15, try reader.nextFrame(into: &frame) { decoded += 1 }
        XCTAssertEqual(decoded, 15, "frames decoded from \(url)", file: file, line: line)
        XCTAssertEqual(frame.width, 320, file: file, line: line)

        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let killedAt = Date()
        var outcome = "end of stream"
        do {
            while try reader.nextFrame(into: &frame) {}
        } catch {
            outcome = error.description
            XCTAssertTrue([.network, .timedOut, .invalidData, .ffmpeg].contains(error.code), outcome, file: file, line: line)
            XCTAssertTrue(error.description.contains("127.0.0.1"), outcome, file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 12, "reader noticed the dead server (\(outcome))", file: file, line: line)
    }

    func testRTSPCameraDecodesAndReportsServerDeath() throws {
        let port = ProcessRunner.freePort()
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("rtsp.log")
        let server = try ProcessRunner.start(
            [TestPaths.sharedTools.appendingPathComponent("rtsp-serve").path,
             TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path, "--port", "\(port)"], log: log)
        try decodeThenKillServer(url: "rtsp://viewer:topsecret@127.0.0.1:\(port)/cam", server: server,
                                 readyLog: log, readyText: "rtsp-serve: rtsp://")
    }

    func testHTTPMJPEGCameraDecodesAndReportsServerDeath() throws {
        let port = ProcessRunner.freePort()
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("mjpeg.log")
        let server = try ProcessRunner.start(
            ["ffmpeg", "-nostdin", "-loglevel", "info", "-re", "-stream_loop", "-1",
             "-i", TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path,
             "-an", "-c:v", "mjpeg", "-q:v", "5", "-f", "mpjpeg", "-listen", "1", "http://127.0.0.1:\(port)/cam.mjpg"], log: log)
        try decodeThenKillServer(url: "http://127.0.0.1:\(port)/cam.mjpg", server: server,
                                 readyLog: log, readyText: "Input #0")
    }
}
