import Foundation
import SeccamEngine
import SeccamTestSupport
import XCTest

/// `run --config` end to end: a live RTSP camera's clips reach a real S3 server (SeaweedFS) through the spool
/// with the in-process uploader, byte for byte, and a signed webhook tells of each event.
final class ServiceUploadTests: XCTestCase {
    private var processes: [Process] = []
    private var directory: URL!
    private var server: SeaweedServer?

    override func setUpWithError() throws {
        guard SeaweedServer.executable() != nil else { throw XCTSkip("SeaweedFS (weed) is not installed: run make test-deps") }
        directory = try TestPaths.makeTemporaryDirectory()
    }

    override func tearDown() {
        processes.forEach { ProcessRunner.stop($0, grace: 2) }
        server?.stop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testClipsAreUploadedByteIdenticalAndWebhooksSigned() throws {
        let s3 = try SeaweedServer()
        server = s3
        try s3.start()
        let bucket = "seccam-run"
        let client = try S3Client(
            configuration: S3Configuration.parse(target: "s3://\(bucket)/cams", endpoint: s3.endpoint, region: "us-east-1", pathStyle: true),
            credentials: S3Credentials(accessKeyId: SeaweedServer.accessKey, secretAccessKey: SeaweedServer.secretKey))
        try client.createBucket()
        let hooks = try WebhookTestServer(secret: "hook-secret", failFirst: 1)
        defer { hooks.stop() }

        let camera = try RTSPTestCamera(fixture: "moving_box.mp4", in: directory)
        processes.append(camera.process)

        let output = directory.appendingPathComponent("out")
        let spool = directory.appendingPathComponent("spool")
        let yaml = """
            output: \(output.path)
            spool: \(spool.path)
            upload:
              target: s3://\(bucket)/cams
              endpoint: \(s3.endpoint)
              path-style: true
              access-key-id: ${TEST_S3_KEY}
              secret-access-key: ${TEST_S3_SECRET}
            webhook:
              url: http://127.0.0.1:\(hooks.port)/hook
              secret: ${TEST_HOOK_SECRET}
            cameras:
              - name: door
                source: \(camera.url)
            """
        let config = directory.appendingPathComponent("seccam.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let engineLog = directory.appendingPathComponent("engine.log")
        let engine = try ProcessRunner.start(
            [TestPaths.executable.path, "run", "--config", config.path, "--log-level", "info"], log: engineLog,
            environment: ["TEST_S3_KEY": SeaweedServer.accessKey, "TEST_S3_SECRET": SeaweedServer.secretKey, "TEST_HOOK_SECRET": "hook-secret"])
        processes.append(engine)

        // A clip is recorded, queued and delivered (done/), then its object is downloaded and compared.
        let done = spool.appendingPathComponent("done")
        let deadline = Date().addingTimeInterval(60)
        while ((try? FileManager.default.contentsOfDirectory(atPath: done.path)) ?? []).isEmpty, Date() < deadline { usleep(200_000) }
        let delivered = try FileManager.default.contentsOfDirectory(atPath: done.path)
        XCTAssertFalse(delivered.isEmpty, (try? String(contentsOf: engineLog, encoding: .utf8)) ?? "")
        let keys = try client.listKeys(prefix: "cams/door/")
        XCTAssertFalse(keys.isEmpty)
        let clips = try FileManager.default.subpathsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".mp4") }
        for key in keys {
            let name = (key as NSString).lastPathComponent
            let local = try XCTUnwrap(clips.first { $0.hasSuffix(name) }, "no local clip for \(key)")
            let downloaded = directory.appendingPathComponent("dl-\(name)").path
            try client.getObject(key: key, to: downloaded)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: downloaded)),
                           try Data(contentsOf: output.appendingPathComponent(local)), key)
        }

        // Webhooks: event.start and event.end arrive signed; the first POST got a 500 and was retried.
        let hookDeadline = Date().addingTimeInterval(20)
        while !hooks.requests().contains(where: { $0.status == 204 && $0.body.contains("\"event.end\"") }), Date() < hookDeadline { usleep(200_000) }
        let requests = hooks.requests()
        XCTAssertEqual(requests.first?.status, 500)
        XCTAssertTrue(requests.allSatisfy(\.verified), "\(requests)")
        XCTAssertTrue(requests.contains { $0.status == 204 && $0.body.contains("\"event.start\"") && $0.body.contains("\"door\"") }, "\(requests)")
        XCTAssertTrue(requests.contains { $0.status == 204 && $0.body.contains("\"event.end\"") }, "\(requests)")

        // clip.uploaded: one per delivered clip, pointing at the object that was compared above.
        while hooks.requests().filter({ $0.status == 204 && $0.body.contains("\"clip.uploaded\"") }).count < keys.count,
              Date() < hookDeadline { usleep(200_000) }
        let uploaded = try hooks.requests().filter { $0.status == 204 && $0.body.contains("\"clip.uploaded\"") }.map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])
        }
        // The camera keeps looping, so more clips may have been delivered since `keys` was listed.
        let objectURL = { (key: String) in "\(s3.endpoint)/\(bucket)/\(key)" }
        let announced = Set(uploaded.compactMap { $0["clipURL"] as? String })
        XCTAssertTrue(Set(keys.map(objectURL)).isSubset(of: announced), "\(uploaded)")
        XCTAssertTrue(announced.isSubset(of: Set(try client.listKeys(prefix: "cams/door/").map(objectURL))), "\(uploaded)")
        for payload in uploaded {
            XCTAssertEqual(payload["camera"] as? String, "door")
            XCTAssertNotNil(payload["eventIndex"] as? Int, "the clip's sidecar gives the event number")
            let details = try XCTUnwrap(payload["details"] as? [String: String])
            let key = try XCTUnwrap(details["objectKey"])
            guard keys.contains(key) else { continue }
            let downloaded = directory.appendingPathComponent("dl-\((key as NSString).lastPathComponent)")
            XCTAssertEqual(details["sha256"], try ClipFiles.digest(path: downloaded.path).sha256, key)
        }

        // With a spool, notifications wait on disk there until delivered (WebhookTests covers a restart).
        var isFolder: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: spool.appendingPathComponent("notifications/run").path, isDirectory: &isFolder) && isFolder.boolValue)

        // Credentials never reach the log.
        let text = try String(contentsOf: engineLog, encoding: .utf8)
        XCTAssertFalse(text.contains(SeaweedServer.secretKey))
        XCTAssertFalse(text.contains("hook-secret"))
        kill(engine.processIdentifier, SIGTERM)
        engine.waitUntilExit()
        XCTAssertEqual(engine.terminationStatus, 0)
    }
}
