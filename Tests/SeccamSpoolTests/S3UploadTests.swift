import Foundation
import Logging
import SeccamSpool
import SeccamTestSupport
import XCTest

/// Uploads to a real S3 server (SeaweedFS on 127.0.0.1), in process.
final class S3UploadTests: XCTestCase {
    nonisolated(unsafe) static var server: SeaweedServer?
    var temp: URL!
    var spool: SpoolDirectory!
    let bucket = "seccam-test"
    /// Each test writes below its own prefix, so listings see only its objects.
    let prefix = "run-\(UInt32.random(in: 0...UInt32.max))"

    override class func setUp() {
        super.setUp()
        do {
            let server = try SeaweedServer()
            try server.start()
            Self.server = server
        } catch {
            XCTFail("could not start SeaweedFS: \(error)")
        }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        guard Self.server != nil else { throw TestSupportError("no S3 server") }
        temp = try TestPaths.makeTemporaryDirectory()
        spool = try SpoolDirectory(root: temp.appendingPathComponent("spool").path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temp)
    }

    func configuration(endpoint: String? = nil) throws -> S3Configuration {
        try S3Configuration.parse(target: "s3://\(bucket)/\(prefix)", endpoint: endpoint ?? Self.server!.endpoint, region: "us-east-1", pathStyle: true)
    }

    static let credentials = S3Credentials(accessKeyId: SeaweedServer.accessKey, secretAccessKey: SeaweedServer.secretKey)

    func client() throws -> S3Client {
        let client = try S3Client(configuration: configuration(), credentials: Self.credentials)
        return client
    }

    /// A clip of pseudo-random bytes with a sidecar; returns its path.
    func makeClip(_ name: String, size: Int, camera: String = "door", event: Int = 1) throws -> String {
        let path = temp.appendingPathComponent(name).path
        var bytes = [UInt8](repeating: 0, count: size)
        var state = UInt64(size) &* 6364136223846793005 &+ UInt64(event)
        for i in 0..<size {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let sidecar: [String: Any] = ["camera": camera, "eventIndex": event, "peakScore": 7.25, "wallClockStart": "2026-11-25T10:00:\(String(format: "%02d", event % 60))Z",
                                      "triggeredRegions": ["door"], "clip": name]
        try JSONSerialization.data(withJSONObject: sidecar).write(to: URL(fileURLWithPath: ((path as NSString).deletingPathExtension) + ".json"))
        return path
    }

    func uploaderConfiguration() -> UploaderConfiguration {
        var configuration = UploaderConfiguration()
        configuration.concurrency = 3
        configuration.retry = RetryPolicy(baseDelay: 0.2, maxDelay: 1)
        configuration.pollInterval = 0.2
        configuration.transfer.lowSpeedTime = 2
        configuration.transfer.connectTimeout = 2
        return configuration
    }

    func sha256(_ path: String) throws -> String {
        String(try ProcessRunner.run(["sha256sum", path]).stdout.prefix(64))
    }

    /// Downloads every delivered entry and compares hashes; returns the keys.
    func assertDeliveredIdentical(_ expected: [String: String], configuration: S3Configuration? = nil,
                                  file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let client = try S3Client(configuration: configuration ?? self.configuration(), credentials: Self.credentials)
        let done = spool.entries(in: .done)
        XCTAssertEqual(done.count, expected.count, file: file, line: line)
        for entry in done {
            let key = try XCTUnwrap(entry.manifest.objectKey)
            let download = temp.appendingPathComponent("download-\(entry.id)").path
            try client.getObject(key: key, to: download)
            XCTAssertEqual(try sha256(download), expected[entry.manifest.fileName], "\(key)", file: file, line: line)
            let head = try XCTUnwrap(try client.headObject(key: key))
            XCTAssertEqual(head.metadata["sha256"], entry.manifest.sha256, file: file, line: line)
            unlink(download)
        }
        return done.compactMap(\.manifest.objectKey)
    }

    func testUploadsTwentyClipsByteIdenticalWithMetadata() throws {
        try client().createBucket()
        var expected: [String: String] = [:]
        for i in 1...20 {
            let clip = try makeClip("cam.DSME_\(String(format: "%04d", i)).mp4", size: 20_000 + i * 37_000, event: i)
            expected[(clip as NSString).lastPathComponent] = try sha256(clip)
            try spool.enqueue(clip: clip)
        }
        let uploader = Uploader(spool: spool, target: .s3(try configuration(), Self.credentials), configuration: uploaderConfiguration(),
                                logger: Logger(label: "test"))
        let summary = try uploader.run(mode: .drain(deadline: Date().addingTimeInterval(60)))
        XCTAssertEqual(summary.delivered, 20)
        XCTAssertTrue(summary.isComplete)
        let keys = try assertDeliveredIdentical(expected)
        XCTAssertEqual(Set(keys).count, 20)
        XCTAssertTrue(keys.allSatisfy { $0.hasPrefix("\(prefix)/door/2026-11-25/cam.DSME_") }, "\(keys)")
        XCTAssertEqual(Set(try client().listKeys(prefix: "\(prefix)/")), Set(keys), "exactly one object per clip")
        let head = try XCTUnwrap(try client().headObject(key: keys[0]))
        XCTAssertEqual(head.metadata["camera"], "door")
        XCTAssertEqual(head.metadata["event-peak-score"], "7.25")
        XCTAssertNotNil(head.metadata["event-event-index"])
        for entry in spool.entries(in: .done) {
            XCTAssertEqual(entry.manifest.confirmation, "etag-md5")
            XCTAssertFalse(FileManager.default.fileExists(atPath: entry.clipPath), "delivered clips leave the spool")
        }
    }

    func testMultipartFiftyMegabytesInFiveMegabyteParts() throws {
        try client().createBucket()
        let clip = try makeClip("big.mp4", size: 50 << 20)
        let expected = try sha256(clip)
        try spool.enqueue(clip: clip)
        var s3 = try S3Configuration.parse(target: "s3://\(bucket)/multipart", endpoint: Self.server!.endpoint, region: "us-east-1", pathStyle: true)
        s3.multipartThreshold = 8 << 20
        s3.partSize = 5 << 20
        let started = Date()
        let summary = try Uploader(spool: spool, target: .s3(s3, Self.credentials), configuration: uploaderConfiguration(),
                                   logger: Logger(label: "test")).run(mode: .drain(deadline: Date().addingTimeInterval(120)))
        let seconds = Date().timeIntervalSince(started)
        print("multipart 50 MiB: \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", 50 / seconds)) MiB/s")
        XCTAssertEqual(summary.delivered, 1)
        _ = try assertDeliveredIdentical(["big.mp4": expected], configuration: s3)
        let entry = try XCTUnwrap(spool.entries(in: .done).first)
        XCTAssertNil(entry.manifest.multipart, "multipart state is cleared once complete")
        XCTAssertTrue(entry.manifest.remoteETag?.hasSuffix("-10") == true, "\(entry.manifest.remoteETag ?? "nil")")
        XCTAssertEqual(entry.manifest.confirmation, "etag-multipart+head-size")
    }

    func testWrongSecretKeepsEverythingWithAClearReasonAndNeverLeaksIt() throws {
        try client().createBucket()
        var clips: [String] = []
        for i in 1...3 {
            let clip = try makeClip("wrong\(i).mp4", size: 10_000 * i, event: i)
            clips.append(clip)
            try spool.enqueue(clip: clip)
        }
        let wrongSecret = "definitely-wrong-secret-\(UInt32.random(in: 0...UInt32.max))"
        let bad = S3Credentials(accessKeyId: SeaweedServer.accessKey, secretAccessKey: wrongSecret, sessionToken: "session-token-SECRET")
        let capture = LogCapture()
        let logger = capture.logger(level: .trace)
        let summary = try Uploader(spool: spool, target: .s3(try configuration(), bad), configuration: uploaderConfiguration(), logger: logger)
            .run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(summary.delivered, 0)
        XCTAssertFalse(summary.isComplete)
        let failed = spool.entries(in: .failed)
        XCTAssertEqual(failed.count + spool.entries(in: .pending).count, 3, "nothing lost")
        XCTAssertEqual(failed.count, 3, "403 is permanent")
        for entry in failed {
            let reason = try XCTUnwrap(entry.manifest.lastError)
            XCTAssertTrue(reason.contains("HTTP 403"), reason)
            XCTAssertTrue(reason.contains("SignatureDoesNotMatch") || reason.contains("InvalidAccessKeyId") || reason.contains("AccessDenied"), reason)
            XCTAssertTrue(reason.contains(entry.id), reason)
            XCTAssertTrue(FileManager.default.fileExists(atPath: entry.clipPath), "the clip is kept")
        }
        for clip in clips { XCTAssertTrue(FileManager.default.fileExists(atPath: clip)) }
        // The secret and the session token appear nowhere: not in any spool file, not in the logs.
        let enumerator = FileManager.default.enumerator(atPath: spool.root)!
        while let name = enumerator.nextObject() as? String {
            let path = (spool.root as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            XCTAssertFalse(text.contains(wrongSecret), path)
            XCTAssertFalse(text.contains("session-token-SECRET"), path)
        }
        let logs = capture.text
        XCTAssertTrue(logs.contains("entry moved to failed"), logs)
        XCTAssertFalse(logs.contains(wrongSecret))
        XCTAssertFalse(logs.contains("session-token-SECRET"))
        // `spool retry` with the right key delivers them.
        try spool.retry()
        let retried = try Uploader(spool: spool, target: .s3(try configuration(), Self.credentials), configuration: uploaderConfiguration(),
                                   logger: Logger(label: "test")).run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(retried.delivered, 3)
        XCTAssertTrue(retried.isComplete)
    }

    func testFaultProxyLosesNothingDuplicatesNothingAndBacksOff() throws {
        try client().createBucket()
        let proxy = try FaultProxy(upstreamPort: Self.server!.s3Port,
                                   plan: ["reset", "500", "503", "drop", "stall", "reset", "500", "503", "pass"],
                                   faultyConnections: 9, stallSeconds: 4)
        defer { proxy.stop() }
        var expected: [String: String] = [:]
        for i in 1...12 {
            let clip = try makeClip("fault\(i).mp4", size: 200_000 + i * 50_000, event: i)
            expected[(clip as NSString).lastPathComponent] = try sha256(clip)
            try spool.enqueue(clip: clip)
        }
        var s3 = try configuration(endpoint: "http://127.0.0.1:\(proxy.port)")
        s3.multipartThreshold = 5 << 20
        let capture = LogCapture()
        let logger = capture.logger(level: .info)
        let started = Date()
        let summary = try Uploader(spool: spool, target: .s3(s3, Self.credentials), configuration: uploaderConfiguration(), logger: logger)
            .run(mode: .drain(deadline: Date().addingTimeInterval(120)))
        print("fault proxy: \(proxy.counts()) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s, retries \(summary.retriesScheduled)")
        XCTAssertEqual(summary.delivered, 12, capture.text)
        XCTAssertTrue(summary.isComplete)
        let keys = try assertDeliveredIdentical(expected)
        XCTAssertEqual(Set(try client().listKeys(prefix: "\(prefix)/")), Set(keys), "no duplicate or stray object names")
        let counts = proxy.counts()
        for mode in ["reset", "500", "503", "drop", "stall"] { XCTAssertGreaterThan(counts[mode] ?? 0, 0, "fault \(mode) was injected") }
        // Backoff: every retry waited at least half the exponential delay for its attempt number.
        let retries = capture.entries.filter { $0.message == "upload failed; will retry" }
        XCTAssertGreaterThan(retries.count, 3)
        for retry in retries {
            let attempts = Int(retry.metadata["upload.attempts"] ?? "") ?? 0
            let delay = Double(retry.metadata["upload.retryIn"] ?? "") ?? -1
            XCTAssertGreaterThanOrEqual(delay, min(1, 0.2 * pow(2, Double(attempts - 1))) / 2 - 0.01, "\(retry.metadata)")
        }
        XCTAssertTrue(spool.entries(in: .done).contains { $0.manifest.attempts > 1 })
    }
}

/// Collects log entries in memory (like swift-log's InMemoryLogHandler): one store, shared by handler copies.
final class LogCapture: @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }
    private let lock = NSLock()
    private var stored: [Entry] = []

    func append(_ entry: Entry) {
        lock.lock()
        stored.append(entry)
        lock.unlock()
    }

    var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    var text: String { entries.map { "\($0.level) \($0.message) \($0.metadata)" }.joined(separator: "\n") }

    /// A logger writing here.
    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "test", factory: { _ in Handler(capture: self) })
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Entry(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
        }
    }
}
