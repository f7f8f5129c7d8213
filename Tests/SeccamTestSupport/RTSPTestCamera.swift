import Foundation

/// A real RTSP camera for tests: ../shared/tools/rtsp-serve serving a fixture on 127.0.0.1 (real-time paced,
/// looping unless `once`), started on a free port (or `port`) and waited for until it listens.
public struct RTSPTestCamera {
    public let url: String
    public let port: Int
    public let process: Process

    /// Serves `Fixtures/<fixture>`; its log goes to `directory`. Stop it with ``ProcessRunner/stop(_:grace:)``.
    public init(fixture: String, in directory: URL, port: Int? = nil, once: Bool = false) throws {
        try self.init(video: TestPaths.fixtures.appendingPathComponent(fixture), in: directory, port: port, once: once)
    }

    /// Serves any video file.
    public init(video: URL, in directory: URL, port: Int? = nil, once: Bool = false) throws {
        let port = port ?? ProcessRunner.freePort()
        let log = directory.appendingPathComponent("rtsp-\(port)-\(UUID().uuidString).log")
        process = try ProcessRunner.start(
            [TestPaths.sharedTools.appendingPathComponent("rtsp-serve").path, video.path, "--port", "\(port)"]
                + (once ? ["--once"] : []), log: log)
        guard ProcessRunner.waitForText("rtsp-serve: rtsp://", in: log, timeout: 60) else {
            ProcessRunner.stop(process)
            throw TestSupportError("rtsp-serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        self.port = port
        url = "rtsp://127.0.0.1:\(port)/cam"
    }
}
