internal import CSeccamMosquitto
import Foundation
import Logging
import Synchronization

/// Where and how to publish MQTT notifications.
public struct MQTTConfiguration: Sendable {
    public var host: String
    public var port: Int = 1883
    public var clientId: String = "seccam-engine-\(getpid())"
    /// Never logged.
    public var username: String?
    public var password: String?
    /// Topics are `<prefix>/<camera>/event` and `<prefix>/<camera>/state` (Home Assistant style).
    public var topicPrefix: String = "seccam"
    public var keepAliveSeconds: Int = 30
    /// QoS of event messages (state messages use the same, retained).
    public var qos: Int = 1

    public init(host: String, port: Int = 1883) {
        self.host = host
        self.port = port
    }
}

/// Publishes events and camera states over MQTT through libmosquitto. The connection runs on libmosquitto's own
/// thread (`mosquitto_loop_start`), which reconnects with backoff, so publishing never blocks and recording and
/// uploads go on while the broker is away. Meanwhile QoS 1 and 2 messages wait in libmosquitto's memory queue and go
/// out after the reconnect (lost if the process ends first); QoS 0 messages are dropped and counted. Each camera's latest
/// state is kept and published again (retained) on every connect, so a state that changed while the broker was
/// away, or a broker that restarted without persistence, never leaves a stale or missing state behind.
///
/// Owns the `struct mosquitto *` (created by `mosquitto_new`, freed by `mosquitto_destroy` in `deinit`).
public final class MQTTNotifier: @unchecked Sendable {
    public let configuration: MQTTConfiguration
    private let logger: Logger
    private var handle: OpaquePointer?
    private let connectedFlag = Atomic<Bool>(false)
    private let droppedCount = Atomic<Int>(0)
    /// QoS 1/2 messages handed to libmosquitto and not yet acknowledged by the broker.
    private let unacknowledgedCount = Atomic<Int>(0)
    /// The latest retained payload of each state topic, published again on every connect.
    private let latestStates = Mutex<[String: Data]>([:])
    private let lock = NSLock()   // serializes publish vs deinit-free use of the handle

    private static let libraryInit: Void = { _ = mosquitto_lib_init() }()

    /// Creates the client and starts connecting in the background.
    /// - Throws: `.invalidInput` for a bad host/port, `.curl`-free `.network` never (connection happens later).
    public init(configuration: MQTTConfiguration, logger: Logger) throws(SpoolError) {
        _ = Self.libraryInit
        self.configuration = configuration
        self.logger = logger
        guard let handle = mosquitto_new(configuration.clientId, true, nil) else {
            throw SpoolError(.io, operation: "creating MQTT client \(configuration.clientId)", call: "mosquitto_new",
                             reason: String(cString: strerror(errno)))
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(handle) { mosq, user, rc in
            guard let user else { return }
            let notifier = Unmanaged<MQTTNotifier>.fromOpaque(user).takeUnretainedValue()
            notifier.connectedFlag.store(rc == 0, ordering: .relaxed)
            if rc == 0, let mosq { notifier.republishStates(on: mosq) }
        }
        mosquitto_publish_callback_set(handle) { _, user, _ in
            // Called when a QoS 1/2 message is acknowledged (and when a QoS 0 one is sent, which is not counted).
            guard let user else { return }
            let notifier = Unmanaged<MQTTNotifier>.fromOpaque(user).takeUnretainedValue()
            if notifier.configuration.qos > 0 { notifier.unacknowledgedCount.subtract(1, ordering: .relaxed) }
        }
        mosquitto_disconnect_callback_set(handle) { _, user, _ in
            guard let user else { return }
            Unmanaged<MQTTNotifier>.fromOpaque(user).takeUnretainedValue().connectedFlag.store(false, ordering: .relaxed)
        }
        if configuration.username != nil || configuration.password != nil {
            _ = mosquitto_username_pw_set(handle, configuration.username, configuration.password)
        }
        _ = mosquitto_reconnect_delay_set(handle, 1, 30, true)
        let operation = "connecting to MQTT broker \(configuration.host):\(configuration.port)"
        var rc = mosquitto_connect_async(handle, configuration.host, Int32(configuration.port), Int32(configuration.keepAliveSeconds))
        // A refused first connect is fine: the loop thread keeps reconnecting.
        if rc != MOSQ_ERR_SUCCESS.rawValue && rc != MOSQ_ERR_ERRNO.rawValue && rc != MOSQ_ERR_NO_CONN.rawValue {
            mosquitto_destroy(handle)
            self.handle = nil
            throw SpoolError(.invalidInput, operation: operation, call: "mosquitto_connect_async", reason: String(cString: mosquitto_strerror(rc)))
        }
        rc = mosquitto_loop_start(handle)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            mosquitto_destroy(handle)
            self.handle = nil
            throw SpoolError(.io, operation: operation, call: "mosquitto_loop_start", reason: String(cString: mosquitto_strerror(rc)))
        }
    }

    deinit {
        lock.lock()
        if let handle {
            _ = mosquitto_disconnect(handle)
            _ = mosquitto_loop_stop(handle, true)
            mosquitto_destroy(handle)
        }
        handle = nil
        lock.unlock()
    }

    /// Whether the broker has accepted the connection (and not dropped it since).
    public var isConnected: Bool { connectedFlag.load(ordering: .relaxed) }
    /// QoS 1/2 messages not yet acknowledged by the broker (queued while it is away, or in flight).
    public var unacknowledged: Int { unacknowledgedCount.load(ordering: .relaxed) }

    /// Waits until the broker has acknowledged every QoS 1/2 message published so far, or `seconds` have passed
    /// (e.g. before a short-lived process exits). Returns whether everything was acknowledged.
    @discardableResult
    public func waitUntilAcknowledged(timeout seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while unacknowledged > 0, Date() < deadline { usleep(20_000) }
        return unacknowledged <= 0
    }

    /// QoS 0 messages not published because the broker was away, and messages libmosquitto refused.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Publishes an event as JSON to `<prefix>/<camera>/event`. Never blocks.
    /// - Returns: false when the message was dropped (QoS 0 with the broker away, or refused by libmosquitto).
    @discardableResult
    public func publishEvent(_ event: WebhookEvent) -> Bool {
        publish(topic: "\(configuration.topicPrefix)/\(event.camera)/event", payload: event.json(), retain: false)
    }

    /// Publishes a camera state (`online`, `offline`, `motion`, `idle`, …) retained to `<prefix>/<camera>/state`.
    @discardableResult
    public func publishState(camera: String, state: String) -> Bool {
        let topic = "\(configuration.topicPrefix)/\(camera)/state"
        latestStates.withLock { $0[topic] = Data(state.utf8) }
        return publish(topic: topic, payload: Data(state.utf8), retain: true)
    }

    /// Publishes every kept state again, from the connect callback on libmosquitto's thread (with the callback's
    /// client, not under `lock`: `deinit` holds that lock while it joins this thread).
    private func republishStates(on mosq: OpaquePointer) {
        for (topic, payload) in latestStates.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            if configuration.qos > 0 { unacknowledgedCount.add(1, ordering: .relaxed) }
            let rc = payload.withUnsafeBytes { bytes in
                mosquitto_publish(mosq, nil, topic, Int32(bytes.count), bytes.baseAddress, Int32(configuration.qos), true)
            }
            if configuration.qos > 0, rc != MOSQ_ERR_SUCCESS.rawValue, rc != MOSQ_ERR_NO_CONN.rawValue {
                unacknowledgedCount.subtract(1, ordering: .relaxed)
            }
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                logger.debug("MQTT state not republished", metadata: ["mqtt.topic": "\(topic)", "error": "\(String(cString: mosquitto_strerror(rc)))"])
            }
        }
    }

    private func publish(topic: String, payload: Data, retain: Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { return false }
        // Counted before publishing: the acknowledgement may arrive on libmosquitto's thread before this returns.
        if configuration.qos > 0 { unacknowledgedCount.add(1, ordering: .relaxed) }
        let rc = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle, nil, topic, Int32(bytes.count), bytes.baseAddress, Int32(configuration.qos), retain)
        }
        if configuration.qos > 0, rc != MOSQ_ERR_SUCCESS.rawValue, rc != MOSQ_ERR_NO_CONN.rawValue {
            unacknowledgedCount.subtract(1, ordering: .relaxed)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            // Not connected: libmosquitto has queued a QoS 1/2 message and sends it after reconnecting.
            if rc == MOSQ_ERR_NO_CONN.rawValue && configuration.qos > 0 { return true }
            droppedCount.add(1, ordering: .relaxed)
            logger.debug("MQTT message dropped", metadata: ["mqtt.topic": "\(topic)", "error": "\(String(cString: mosquitto_strerror(rc)))"])
            return false
        }
        return true
    }
}
