import Crypto
import Foundation
import Logging
import Synchronization

/// One notification: an event started or ended on a camera, its clip was uploaded, or a camera went offline or
/// came back. Sent as JSON (sorted keys, ISO 8601 times).
public struct WebhookEvent: Codable, Sendable, Equatable {
    /// `event.start`, `event.end`, `clip.uploaded`, `camera.offline`, `camera.online` (or another name of the
    /// sender's choosing).
    public var type: String
    public var camera: String
    public var time: Date
    public var eventIndex: Int?
    /// Where the uploaded clip is (`clip.uploaded`): the target's URL of the object, without credentials.
    public var clipURL: String?
    /// Anything else worth sending (scores, zones, reason), as strings.
    public var details: [String: String]

    public init(type: String, camera: String, time: Date = Date(), eventIndex: Int? = nil, clipURL: String? = nil, details: [String: String] = [:]) {
        self.type = type
        self.camera = camera
        self.time = time
        self.eventIndex = eventIndex
        self.clipURL = clipURL
        self.details = details
    }

    /// `clip.uploaded` for a delivered spool entry: the event number (from the clip's sidecar, when it had one),
    /// the object's URL, and the clip's file name, size, SHA-256 and recording time as details.
    public static func clipUploaded(_ manifest: SpoolManifest, time: Date = Date()) -> WebhookEvent {
        var details = ["file": manifest.fileName, "size": String(manifest.size), "sha256": manifest.sha256,
                       "recordedAt": SpoolTime.format(manifest.recordedAt)]
        details["objectKey"] = manifest.objectKey
        return WebhookEvent(type: "clip.uploaded", camera: manifest.camera ?? "", time: time,
                            eventIndex: manifest.event["eventIndex"].flatMap { Int($0) }, clipURL: manifest.remoteURL, details: details)
    }

    func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(SpoolTime.format(date))
        }
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// Where and how to send webhooks.
public struct WebhookConfiguration: Sendable {
    public var url: URL
    /// When set, each request carries `X-Seccam-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
    /// and `X-Seccam-Timestamp: <unix seconds>`. Never logged.
    public var secret: String?
    /// Extra headers (sent as is, never logged).
    public var headers: [String: String] = [:]
    /// Retries of transient failures (network, timeouts, 5xx, 429), as for uploads.
    public var retry = RetryPolicy(baseDelay: 1, maxDelay: 60, maxAttempts: 8)
    public var transfer = TransferOptions()

    public init(url: URL, secret: String? = nil) {
        self.url = url
        self.secret = secret
        transfer.totalTimeout = 30
    }

    /// The signature header value for a body sent at `timestamp`.
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }
}

/// Sends webhook notifications: ``post(_:)`` blocks and retries; ``notify(_:)`` queues and returns at once (a background
/// thread sends in order), so a slow or absent receiver never blocks recording or uploads. The queue is bounded (the
/// oldest notification is dropped, with a log line, beyond `queueLimit`). It is in memory, or also on disk with
/// ``init(configuration:queueLimit:logger:keepingUndeliveredIn:)``.
public final class WebhookNotifier: Sendable {
    public let configuration: WebhookConfiguration
    private let logger: Logger
    private let cancellation = CancellationFlag()
    private let queue = Mutex<[Queued]>([])
    private let wakeup = NSCondition()
    private let queueLimit: Int
    private let started = Atomic<Bool>(false)
    private let idle = Atomic<Bool>(true)
    private let outbox: NotificationOutbox?

    /// A queued notification and, when kept on disk, its file in the outbox.
    private struct Queued {
        var event: WebhookEvent
        var file: String?
    }

    /// A notifier whose queue is in memory only: notifications not yet sent when the process ends are lost.
    public convenience init(configuration: WebhookConfiguration, queueLimit: Int = 1000, logger: Logger) {
        self.init(configuration: configuration, queueLimit: queueLimit, logger: logger, outbox: nil)
    }

    /// A notifier that keeps each notification in `folder` until the receiver has taken it (or refused it with a 4xx),
    /// so nothing is lost to a receiver that is away for long, a restart or a power cut: transient failures are
    /// retried without limit (with `configuration.retry`'s backoff), and notifications left in `folder` by an earlier
    /// process are sent first, in order.
    /// - Throws: `.io` when `folder` cannot be created.
    public convenience init(configuration: WebhookConfiguration, queueLimit: Int = 1000, logger: Logger,
                            keepingUndeliveredIn folder: String) throws(SpoolError) {
        var configuration = configuration
        configuration.retry.maxAttempts = nil
        self.init(configuration: configuration, queueLimit: queueLimit, logger: logger, outbox: try NotificationOutbox(folder: folder))
        sendKeptNotifications()
    }

    private init(configuration: WebhookConfiguration, queueLimit: Int, logger: Logger, outbox: NotificationOutbox?) {
        self.configuration = configuration
        self.queueLimit = queueLimit
        self.logger = logger
        self.outbox = outbox
    }

    /// Queues what an earlier process left in the outbox folder, oldest first.
    private func sendKeptNotifications() {
        guard let outbox else { return }
        let (kept, unreadable) = outbox.pending()
        for name in unreadable {
            logger.warning("webhook: a kept notification does not decode; left in place", metadata: ["webhook.file": "\(outbox.folder)/\(name)"])
        }
        guard !kept.isEmpty else { return }
        logger.info("webhook: sending notifications kept from before", metadata: ["webhook.pending": "\(kept.count)"])
        queue.withLock { $0 = kept.map { Queued(event: $0.event, file: $0.name) } }
        startSender()
    }

    /// Sends one notification, retrying transient failures with backoff.
    /// - Throws: the last ``SpoolError`` (HTTP status and body text, or curl's text) when the receiver refused it
    ///   (4xx) or the attempts ran out.
    @available(*, noasync, message: "blocks; use notify(_:) or call from a thread")
    public func post(_ event: WebhookEvent) throws(SpoolError) {
        let curl = try CurlEasy(options: configuration.transfer, cancellation: cancellation)
        let body = event.json()
        var attempt = 0
        while true {
            attempt += 1
            do {
                try send(body, event: event, curl: curl)
                return
            } catch {
                let exhausted = configuration.retry.maxAttempts.map { attempt >= $0 } ?? false
                guard error.isTransient, !exhausted, !cancellation.isCancelled else { throw error }
                let delay = configuration.retry.delay(afterAttempt: attempt, retryAfter: error.retryAfter)
                logger.info("webhook failed; will retry", metadata: ["error": "\(error)", "webhook.attempts": "\(attempt)",
                                                                    "webhook.retryIn": "\(String(format: "%.2f", delay))"])
                wakeup.lock()
                _ = wakeup.wait(until: Date().addingTimeInterval(delay))
                wakeup.unlock()
            }
        }
    }

    private func send(_ body: Data, event: WebhookEvent, curl: CurlEasy) throws(SpoolError) {
        var headers = configuration.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        headers.append(("Content-Type", "application/json"))
        headers.append(("User-Agent", "seccam-engine"))
        if let secret = configuration.secret {
            let timestamp = Int(Date().timeIntervalSince1970)
            headers.append(("X-Seccam-Timestamp", "\(timestamp)"))
            headers.append(("X-Seccam-Signature", WebhookConfiguration.signature(secret: secret, timestamp: timestamp, body: body)))
        }
        let operation = "posting \(event.type) for camera \(event.camera) to \(configuration.url.absoluteString)"
        let response = try curl.perform(HTTPRequest(method: "POST", url: configuration.url.absoluteString, headers: headers, body: .data(body)),
                                        operation: operation)
        guard (200..<300).contains(response.status) else { throw S3Client.httpError(response, method: "POST", operation: operation) }
    }

    /// Queues a notification for the background sender (started on first use) and returns at once. With an outbox
    /// folder the notification is written there first.
    public func notify(_ event: WebhookEvent) {
        var file: String?
        if let outbox {
            do { file = try outbox.add(event) } catch {
                logger.warning("webhook: could not keep a notification on disk; it is queued in memory only",
                               metadata: ["error": "\(error)", "webhook.type": "\(event.type)"])
            }
        }
        let dropped: Queued? = queue.withLock { pending in
            pending.append(Queued(event: event, file: file))
            return pending.count > queueLimit ? pending.removeFirst() : nil
        }
        if let dropped {
            if let name = dropped.file { outbox?.remove(name) }
            logger.info("webhook queue full; dropped the oldest notification", metadata: ["webhook.type": "\(dropped.event.type)"])
        }
        startSender()
        wakeup.lock(); wakeup.broadcast(); wakeup.unlock()
    }

    /// Whether the queue is empty and nothing is being sent (for tests and shutdown).
    public var isIdle: Bool { idle.load(ordering: .relaxed) && queue.withLock { $0.isEmpty } }

    /// Stops the background sender and any retry wait. Queued notifications are dropped, except those kept in an
    /// outbox folder: the next notifier on that folder sends them.
    public func stop() {
        cancellation.cancel()
        wakeup.lock(); wakeup.broadcast(); wakeup.unlock()
    }

    private func startSender() {
        idle.store(false, ordering: .relaxed)
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in self.drain() }
        thread.name = "seccam-webhook"
        thread.start()
    }

    private func drain() {
        while !cancellation.isCancelled {
            let next: Queued? = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            guard let item = next else {
                idle.store(true, ordering: .relaxed)
                wakeup.lock()
                if queue.withLock({ $0.isEmpty }) && !cancellation.isCancelled { _ = wakeup.wait(until: Date().addingTimeInterval(1)) }
                wakeup.unlock()
                continue
            }
            idle.store(false, ordering: .relaxed)
            do {
                try post(item.event)
            } catch {
                // Stopped mid-retry: an outbox file stays for the next start.
                if cancellation.isCancelled { break }
                logger.info("webhook notification dropped", metadata: ["error": "\(error)", "webhook.type": "\(item.event.type)"])
            }
            if let name = item.file { outbox?.remove(name) }
        }
    }
}
