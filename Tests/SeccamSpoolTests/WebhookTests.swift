import Foundation
import Logging
import SeccamSpool
import SeccamTestSupport
import XCTest

/// Webhook notifications against a local receiver that checks the HMAC and fails the first request with a 500.
final class WebhookTests: XCTestCase {
    func configuration(port: Int, secret: String) -> WebhookConfiguration {
        var configuration = WebhookConfiguration(url: URL(string: "http://127.0.0.1:\(port)/hook")!, secret: secret)
        configuration.retry = RetryPolicy(baseDelay: 0.1, maxDelay: 0.5, maxAttempts: 5)
        return configuration
    }

    func testSignedPayloadIsRetriedAfterA500() throws {
        let server = try WebhookTestServer(secret: "hook-secret", failFirst: 1)
        defer { server.stop() }
        let notifier = WebhookNotifier(configuration: configuration(port: server.port, secret: "hook-secret"), logger: Logger(label: "test"))
        let event = WebhookEvent(type: "event.end", camera: "door", time: Date(timeIntervalSince1970: 1_795_600_000), eventIndex: 3,
                                 clipURL: "http://127.0.0.1:8333/clips/door/2026-11-25/a.mp4", details: ["peakScore": "12.5"])
        try notifier.post(event)
        let requests = server.requests()
        XCTAssertEqual(requests.map(\.status), [500, 204])
        XCTAssertTrue(requests.allSatisfy(\.verified), "the HMAC header verifies")
        let payload = try JSONSerialization.jsonObject(with: Data(requests[1].body.utf8)) as? [String: Any]
        XCTAssertEqual(payload?["type"] as? String, "event.end")
        XCTAssertEqual(payload?["camera"] as? String, "door")
        XCTAssertEqual(payload?["eventIndex"] as? Int, 3)
        XCTAssertEqual(payload?["time"] as? String, "2026-11-25T09:46:40.000Z")
        XCTAssertEqual(payload?["clipURL"] as? String, "http://127.0.0.1:8333/clips/door/2026-11-25/a.mp4")
        XCTAssertEqual((payload?["details"] as? [String: String])?["peakScore"], "12.5")
    }

    func testClipUploadedCarriesTheObjectURLAndTheSidecarsEventNumber() throws {
        var manifest = SpoolManifest(id: "20261125T094640.000Z-0a1b2c3d", fileName: "door-event-0004.mp4", camera: "door",
                                     recordedAt: Date(timeIntervalSince1970: 1_795_600_000), enqueuedAt: Date(timeIntervalSince1970: 1_795_600_010),
                                     event: ["eventIndex": "4", "peakScore": "31.2"], size: 123_456, sha256: String(repeating: "ab", count: 32), md5: "00")
        manifest.objectKey = "cams/door/2026-11-25/door-event-0004.mp4"
        manifest.remoteURL = "http://127.0.0.1:8333/seccam/cams/door/2026-11-25/door-event-0004.mp4"
        let event = WebhookEvent.clipUploaded(manifest, time: Date(timeIntervalSince1970: 1_795_600_060))
        XCTAssertEqual(event.type, "clip.uploaded")
        XCTAssertEqual(event.camera, "door")
        XCTAssertEqual(event.eventIndex, 4)
        XCTAssertEqual(event.clipURL, manifest.remoteURL)
        XCTAssertEqual(event.details, ["file": "door-event-0004.mp4", "size": "123456", "sha256": manifest.sha256,
                                       "recordedAt": "2026-11-25T09:46:40.000Z", "objectKey": manifest.objectKey!])
        // A clip enqueued without a sidecar has no event number.
        manifest.event = [:]
        XCTAssertNil(WebhookEvent.clipUploaded(manifest).eventIndex)
    }

    func testWrongSecretIsRefusedWithoutRetryAndQueueDoesNotBlock() throws {
        let server = try WebhookTestServer(secret: "right-secret", failFirst: 0)
        defer { server.stop() }
        let notifier = WebhookNotifier(configuration: configuration(port: server.port, secret: "wrong-hook-secret"), logger: Logger(label: "test"))
        XCTAssertThrowsError(try notifier.post(WebhookEvent(type: "camera.offline", camera: "yard"))) { error in
            XCTAssertTrue("\(error)".contains("HTTP 401"), "\(error)")
            XCTAssertTrue("\(error)".contains("camera.offline"), "\(error)")
            XCTAssertFalse("\(error)".contains("wrong-hook-secret"), "\(error)")
        }
        XCTAssertEqual(server.requests().count, 1, "a 401 is not retried")

        // notify() returns at once even when the receiver is gone.
        server.stop()
        let started = Date()
        for i in 0..<20 { notifier.notify(WebhookEvent(type: "event.start", camera: "yard", eventIndex: i)) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
        notifier.stop()
    }

    /// With an outbox folder, notifications the receiver has not taken survive the notifier (a restart): the next
    /// notifier on the folder sends them first, in order, and the folder empties as they are delivered.
    func testUndeliveredNotificationsSurviveARestart() throws {
        let folder = try TestPaths.makeTemporaryDirectory().appendingPathComponent("notifications")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let kept = { ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted() }

        // A receiver that answers 500 to everything: the first notifier keeps retrying, then stops.
        let failing = try WebhookTestServer(secret: "hook-secret", failFirst: 1_000)
        defer { failing.stop() }
        var settings = configuration(port: failing.port, secret: "hook-secret")
        settings.retry.maxAttempts = 2  // the outbox ignores this: it never gives up on a transient failure
        let first = try WebhookNotifier(configuration: settings, logger: Logger(label: "test"), keepingUndeliveredIn: folder.path)
        for index in 1...3 { first.notify(WebhookEvent(type: "event.end", camera: "door", eventIndex: index)) }
        XCTAssertEqual(kept().count, 3, "written before notify returns")
        let deadline = Date().addingTimeInterval(10)
        while failing.requests().count < 4, Date() < deadline { usleep(50_000) }
        XCTAssertGreaterThanOrEqual(failing.requests().count, 4, "more attempts than maxAttempts allows")
        first.stop()
        usleep(300_000)
        XCTAssertEqual(kept().count, 3)

        // The next notifier, with a receiver that takes them, sends the three in order and empties the folder.
        let receiver = try WebhookTestServer(secret: "hook-secret", failFirst: 0)
        defer { receiver.stop() }
        let second = try WebhookNotifier(configuration: configuration(port: receiver.port, secret: "hook-secret"),
                                         logger: Logger(label: "test"), keepingUndeliveredIn: folder.path)
        defer { second.stop() }
        while (receiver.requests().count < 3 || !kept().isEmpty), Date() < deadline.addingTimeInterval(10) { usleep(50_000) }
        let delivered = try receiver.requests().map { request -> Int? in
            XCTAssertEqual(request.status, 204)
            XCTAssertTrue(request.verified)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])["eventIndex"] as? Int
        }
        XCTAssertEqual(delivered, [1, 2, 3])
        XCTAssertEqual(kept(), [])

        // A notification the receiver refuses for good (401: wrong secret) is not kept either.
        let refusing = try WebhookNotifier(configuration: configuration(port: receiver.port, secret: "wrong-secret"),
                                           logger: Logger(label: "test"), keepingUndeliveredIn: folder.path)
        defer { refusing.stop() }
        refusing.notify(WebhookEvent(type: "camera.offline", camera: "yard"))
        while receiver.requests().count < 4 || !kept().isEmpty, Date() < deadline.addingTimeInterval(20) { usleep(50_000) }
        XCTAssertEqual(receiver.requests().last?.status, 401)
        XCTAssertEqual(kept(), [])
    }
}
