import Foundation
import Logging
import SeccamSpool
import SeccamTestSupport
import XCTest

/// HTTP PUT targets against a local Python upload server.
final class HTTPTargetTests: XCTestCase {
    var temp: URL!
    var spool: SpoolDirectory!

    override func setUpWithError() throws {
        temp = try TestPaths.makeTemporaryDirectory()
        spool = try SpoolDirectory(root: temp.appendingPathComponent("spool").path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temp)
    }

    func enqueueClips(_ count: Int) throws -> [String: Data] {
        var clips: [String: Data] = [:]
        for i in 1...count {
            let data = Data((0..<(5000 * i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) })
            let path = temp.appendingPathComponent("h\(i).mp4").path
            try data.write(to: URL(fileURLWithPath: path))
            try spool.enqueue(clip: path, camera: "porch")
            clips["h\(i).mp4"] = data
        }
        return clips
    }

    func configuration() -> UploaderConfiguration {
        var configuration = UploaderConfiguration()
        configuration.retry = RetryPolicy(baseDelay: 0.1, maxDelay: 0.5)
        configuration.pollInterval = 0.1
        return configuration
    }

    func testPutWithBearerTokenConfirmedByETagAndRetriedAfter500() throws {
        let server = try HTTPUploadServer(token: "tok-123", failFirst: 1)
        defer { server.stop() }
        let clips = try enqueueClips(3)
        let target = HTTPTargetConfiguration(baseURL: URL(string: "http://127.0.0.1:\(server.port)/up")!, bearerToken: "tok-123")
        let summary = try Uploader(spool: spool, target: .http(target), configuration: configuration(), logger: Logger(label: "test"))
            .run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(summary.delivered, 3)
        XCTAssertEqual(summary.retriesScheduled, 1, "the injected 500 is retried")
        for entry in spool.entries(in: .done) {
            XCTAssertEqual(entry.manifest.confirmation, "etag-md5")
            let stored = server.storage.appendingPathComponent("up/\(entry.manifest.objectKey!)")
            XCTAssertEqual(try Data(contentsOf: stored), clips[entry.manifest.fileName])
        }
    }

    func testWithoutETagConfirmsByHeadAndWrongTokenFails() throws {
        let server = try HTTPUploadServer(token: "right", etag: false)
        defer { server.stop() }
        _ = try enqueueClips(2)
        let base = URL(string: "http://127.0.0.1:\(server.port)/up")!
        let wrong = try Uploader(spool: spool, target: .http(HTTPTargetConfiguration(baseURL: base, bearerToken: "wrong-token-value")),
                                 configuration: configuration(), logger: Logger(label: "test")).run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(wrong.failed, 2)
        for entry in spool.entries(in: .failed) {
            let reason = entry.manifest.lastError ?? ""
            XCTAssertTrue(reason.contains("HTTP 401"), reason)
            XCTAssertFalse(reason.contains("wrong-token-value"), reason)
        }
        try spool.retry()
        let right = try Uploader(spool: spool, target: .http(HTTPTargetConfiguration(baseURL: base, bearerToken: "right")),
                                 configuration: configuration(), logger: Logger(label: "test")).run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(right.delivered, 2)
        XCTAssertEqual(Set(spool.entries(in: .done).map { $0.manifest.confirmation ?? "" }), ["head-size"])
    }

    func testMultipartFormPost() throws {
        let server = try HTTPUploadServer(token: "form-token")
        defer { server.stop() }
        let clips = try enqueueClips(2)
        var target = HTTPTargetConfiguration(baseURL: URL(string: "http://127.0.0.1:\(server.port)/upload")!, method: .postForm,
                                             bearerToken: "form-token")
        target.keyTemplate = "{camera}-{file}"
        let summary = try Uploader(spool: spool, target: .http(target), configuration: configuration(), logger: Logger(label: "test"))
            .run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(summary.delivered, 2)
        for entry in spool.entries(in: .done) {
            XCTAssertEqual(entry.manifest.confirmation, "status")
            let stored = server.storage.appendingPathComponent("form/porch-\(entry.manifest.fileName)")
            XCTAssertEqual(try Data(contentsOf: stored), clips[entry.manifest.fileName])
        }
    }
}
