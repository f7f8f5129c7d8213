import Foundation
import Logging
import SeccamSpool
import SeccamTestSupport
import XCTest

/// MQTT through libmosquitto against a real broker (Debian's mosquitto on 127.0.0.1, started here).
final class MQTTNotifierTests: XCTestCase {
    func testEventAndStateArriveOnDocumentedTopicsAndBrokerLossDoesNotBlock() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto") else {
            throw TestSupportError("mosquitto not installed: run `make deps` (Debian packages mosquitto, mosquitto-clients)")
        }
        let temp = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let port = ProcessRunner.freePort()
        let config = temp.appendingPathComponent("mosquitto.conf")
        try Data("listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n".utf8).write(to: config)
        let broker = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "/usr/sbin/mosquitto", "-c", config.path], log: temp.appendingPathComponent("broker.log"))
        defer { ProcessRunner.stop(broker, grace: 1) }
        XCTAssertTrue(waitUntil(timeout: 5) { SeaweedServerProbe.listening(port: port) })
        let subLog = temp.appendingPathComponent("sub.log")
        let subscriber = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "mosquitto_sub", "-h", "127.0.0.1", "-p", "\(port)", "-t", "seccam/#", "-v"], log: subLog)
        defer { ProcessRunner.stop(subscriber, grace: 1) }
        usleep(300_000)

        var configuration = MQTTConfiguration(host: "127.0.0.1", port: port)
        configuration.clientId = "seccam-test-\(getpid())"
        let notifier = try MQTTNotifier(configuration: configuration, logger: Logger(label: "test"))
        XCTAssertTrue(waitUntil(timeout: 5) { notifier.isConnected })
        XCTAssertTrue(notifier.publishState(camera: "door", state: "online"))
        XCTAssertTrue(notifier.publishEvent(WebhookEvent(type: "event.start", camera: "door", eventIndex: 1, details: ["peakScore": "9.5"])))
        XCTAssertTrue(ProcessRunner.waitForText("seccam/door/event", in: subLog, timeout: 5))
        let text = try String(contentsOf: subLog, encoding: .utf8)
        XCTAssertTrue(text.contains("seccam/door/state online"), text)
        let eventLine = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("seccam/door/event ") })
        let payload = try JSONSerialization.jsonObject(with: Data(eventLine.dropFirst("seccam/door/event ".count).utf8)) as? [String: Any]
        XCTAssertEqual(payload?["type"] as? String, "event.start")
        XCTAssertEqual(payload?["eventIndex"] as? Int, 1)

        // The broker goes away: publishing returns at once and nothing blocks; QoS 1 messages are queued, not dropped.
        ProcessRunner.stop(broker, grace: 1)
        XCTAssertTrue(waitUntil(timeout: 5) { !notifier.isConnected })
        let started = Date()
        for i in 0..<50 { XCTAssertTrue(notifier.publishEvent(WebhookEvent(type: "event.end", camera: "door", eventIndex: i))) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
        XCTAssertEqual(notifier.dropped, 0)
        XCTAssertGreaterThanOrEqual(notifier.unacknowledged, 50, "queued, waiting for the broker")
        XCTAssertFalse(notifier.waitUntilAcknowledged(timeout: 0.2))

        // A broker that restarts without persistence remembers no retained state; the client publishes each camera's
        // latest state again when it reconnects. (QoS 1 messages published while the broker was away are kept by
        // libmosquitto and sent after the reconnect too.)
        let restarted = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "/usr/sbin/mosquitto", "-c", config.path],
                                                log: temp.appendingPathComponent("broker2.log"))
        defer { ProcessRunner.stop(restarted, grace: 1) }
        XCTAssertTrue(waitUntil(timeout: 5) { SeaweedServerProbe.listening(port: port) })
        let afterLog = temp.appendingPathComponent("sub2.log")
        let after = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "mosquitto_sub", "-h", "127.0.0.1", "-p", "\(port)", "-t", "seccam/#", "-v"], log: afterLog)
        defer { ProcessRunner.stop(after, grace: 1) }
        XCTAssertTrue(waitUntil(timeout: 40) { notifier.isConnected }, "reconnects (backoff up to 30 s)")
        XCTAssertTrue(notifier.waitUntilAcknowledged(timeout: 10), "the queued messages went out: \(notifier.unacknowledged) left")
        XCTAssertTrue(ProcessRunner.waitForText("seccam/door/state", in: afterLog, timeout: 5))
        usleep(500_000)
        let retained = try ProcessRunner.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", "\(port)", "-t", "seccam/+/state", "-v",
                                              "-C", "1", "-W", "5"])
        XCTAssertEqual(retained.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "seccam/door/state online", retained.stderr)
    }

    func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

/// A TCP connect probe.
enum SeaweedServerProbe {
    static func listening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
