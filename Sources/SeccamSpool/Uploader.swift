import Foundation
import Logging
import Synchronization

/// When to try again after a transient failure: exponential backoff with "equal jitter"
/// (half the delay fixed, half random), capped, and never sooner than the server's `Retry-After`.
public struct RetryPolicy: Sendable {
    /// Delay after the first failure (s).
    public var baseDelay: Double = 5
    /// Upper bound of the delay (s).
    public var maxDelay: Double = 900
    /// After this many attempts a transiently failing entry goes to `failed/` (nil: retry forever).
    public var maxAttempts: Int?

    public init(baseDelay: Double = 5, maxDelay: Double = 900, maxAttempts: Int? = nil) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// The delay after attempt number `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int, retryAfter: Double? = nil) -> Double {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, min(attempt - 1, 30)))))
        let jittered = exponential / 2 + Double.random(in: 0...(exponential / 2))
        return min(maxDelay, max(jittered, retryAfter ?? 0))
    }
}

/// Settings of an ``Uploader``.
public struct UploaderConfiguration: Sendable {
    /// Entries uploaded at the same time (one connection each).
    public var concurrency: Int = 2
    /// Total upload bandwidth cap in bytes/s, split evenly over the workers (0: unlimited).
    public var maxBytesPerSecond: Int64 = 0
    public var retry = RetryPolicy()
    public var transfer = TransferOptions()
    /// How often an idle uploader looks for new pending entries (s).
    public var pollInterval: Double = 2
    /// Keep the clip in `done/` after delivery (default: only the manifest stays; the recorder has the original).
    public var keepDeliveredClips = false

    public init() {}
}

/// What an uploader run did.
public struct UploadSummary: Sendable {
    public var delivered = 0
    public var retriesScheduled = 0
    public var failed = 0
    public var bytes: Int64 = 0
    public var seconds: Double = 0
    /// Entries still pending, inflight or failed in the spool when the run ended.
    public var pending = 0
    public var inflight = 0
    public var failedInSpool = 0
    /// Everything delivered: nothing pending, inflight or failed.
    public var isComplete: Bool { pending == 0 && inflight == 0 && failedInSpool == 0 }
}

/// Moves clips from a ``SpoolDirectory`` to an ``UploadTarget``: oldest first, `concurrency` at a time, with a
/// bandwidth cap; transient failures are retried with backoff (the schedule is in each manifest, so a restart
/// keeps it); permanent ones go to `failed/` with the reason; an entry reaches `done/` only after the server
/// confirmed the object. Holds the spool's uploader lock while it runs.
public final class Uploader: Sendable {
    public let spool: SpoolDirectory
    public let target: UploadTarget
    public let configuration: UploaderConfiguration
    private let logger: Logger
    private let cancellation = CancellationFlag()
    private let wakeup = NSCondition()
    private let state = Mutex(RunState())
    private let onDelivered: (@Sendable (SpoolManifest) -> Void)?

    private struct RunState {
        var busy = 0
        var attemptedThisRun: Set<String> = []
        var summary = UploadSummary()
    }

    /// - Parameter onDelivered: called on an upload worker's thread with each manifest that reached `done/` (its
    ///   `remoteURL` set), e.g. to notify someone; it should return quickly.
    public init(spool: SpoolDirectory, target: UploadTarget, configuration: UploaderConfiguration = UploaderConfiguration(), logger: Logger,
                onDelivered: (@Sendable (SpoolManifest) -> Void)? = nil) {
        self.spool = spool
        self.target = target
        self.configuration = configuration
        self.logger = logger
        self.onDelivered = onDelivered
    }

    /// How ``run(mode:)`` ends.
    public enum Mode: Sendable {
        /// Until ``stop()``: idle workers poll for new entries.
        case continuous
        /// Until nothing is left to try: every pending entry is tried at once (ignoring its schedule the first
        /// time), transient failures are retried on schedule while the retry is due before `deadline`.
        case drain(deadline: Date)
    }

    /// Runs the workers on their own threads and returns when they are done (see ``Mode``) or stopped.
    /// - Throws: `.busy` when another uploader holds the spool; `.io` when recovery fails.
    @available(*, noasync, message: "blocks; run it on its own thread")
    public func run(mode: Mode) throws(SpoolError) -> UploadSummary {
        let lock = try spool.lockForUploading()
        defer { withExtendedLifetime(lock) {} }
        try spool.recover()
        let started = Date()
        var transfer = configuration.transfer
        let workers = max(1, configuration.concurrency)
        if configuration.maxBytesPerSecond > 0 { transfer.maxSendBytesPerSecond = max(1, configuration.maxBytesPerSecond / Int64(workers)) }

        var destinations: [any Destination] = []
        for _ in 0..<workers {
            let curl = try CurlEasy(options: transfer, cancellation: cancellation)
            switch target {
            case .s3(let configuration, let credentials):
                destinations.append(S3Destination(client: S3Client(configuration: configuration, credentials: credentials, curl: curl)))
            case .http(let configuration):
                destinations.append(HTTPDestination(configuration: configuration, curl: curl))
            }
        }
        logger.info("uploader started", metadata: ["spool.root": "\(spool.root)", "upload.target": "\(target.displayName)", "upload.workers": "\(workers)"])
        let finished = DispatchGroup()
        // Threads signal the group when their loop ends.
        let group = UncheckedBox(finished)
        for (index, destination) in destinations.enumerated() {
            finished.enter()
            let box = UncheckedBox(destination)
            let thread = Thread { [self] in
                self.work(destination: box.value, mode: mode)
                group.value.leave()
            }
            thread.name = "seccam-upload-\(index)"
            thread.start()
        }
        finished.wait()
        var summary = state.withLock { $0.summary }
        summary.seconds = Date().timeIntervalSince(started)
        summary.pending = spool.entryNames(in: .pending).count
        summary.inflight = spool.entryNames(in: .inflight).count
        summary.failedInSpool = spool.entryNames(in: .failed).count
        logger.info("uploader stopped", metadata: ["upload.delivered": "\(summary.delivered)", "upload.failed": "\(summary.failed)",
                                                   "spool.pending": "\(summary.pending)"])
        return summary
    }

    /// Asks ``run(mode:)`` to stop: transfers in progress are aborted and their entries go back to `pending/`
    /// without counting an attempt. Safe from any thread or a signal handler's dispatch source.
    public func stop() {
        cancellation.cancel()
        wakeup.lock()
        wakeup.broadcast()
        wakeup.unlock()
    }

    private func sleep(until date: Date) {
        wakeup.lock()
        if !cancellation.isCancelled { _ = wakeup.wait(until: date) }
        wakeup.unlock()
    }

    private func work(destination: any Destination, mode: Mode) {
        while !cancellation.isCancelled {
            let claim: SpoolDirectory.Claim
            do {
                claim = try state.withLock { run throws(SpoolError) -> SpoolDirectory.Claim in
                    let attempted = run.attemptedThisRun
                    let result = try spool.claimNext(isDue: { manifest in
                        if case .drain = mode, !attempted.contains(manifest.id) { return true }
                        return (manifest.nextAttemptAt ?? .distantPast) <= Date()
                    })
                    if case .claimed(let entry) = result {
                        run.busy += 1
                        run.attemptedThisRun.insert(entry.id)
                    }
                    return result
                }
            } catch {
                logger.info("could not claim a spool entry", metadata: ["error": "\(error)"])
                sleep(until: Date().addingTimeInterval(configuration.pollInterval))
                continue
            }
            switch claim {
            case .claimed(let entry):
                process(entry, destination: destination)
                state.withLock { $0.busy -= 1 }
                wakeup.lock(); wakeup.broadcast(); wakeup.unlock()
            case .empty, .notDueUntil:
                var wait = Date().addingTimeInterval(configuration.pollInterval)
                if case .notDueUntil(let due) = claim { wait = min(wait, due) }
                if case .drain(let deadline) = mode {
                    let busy = state.withLock { $0.busy }
                    if busy == 0 {
                        if case .notDueUntil(let due) = claim, due <= deadline { sleep(until: due); continue }
                        if case .empty = claim { wakeAll(); return }
                        if case .notDueUntil = claim { wakeAll(); return }
                    }
                    // Another worker is busy; its outcome may schedule a retry: wait for it.
                    sleep(until: min(wait, Date().addingTimeInterval(0.5)))
                    continue
                }
                sleep(until: wait)
            }
        }
    }

    private func wakeAll() {
        wakeup.lock(); wakeup.broadcast(); wakeup.unlock()
    }

    /// One attempt at one claimed entry; always leaves it in `done/`, `pending/` or `failed/`.
    private func process(_ claimed: SpoolEntry, destination: any Destination) {
        var entry = claimed
        var log = logger
        log[metadataKey: "spool.entry"] = "\(entry.id)"
        entry.manifest.attempts += 1
        entry.manifest.lastAttemptAt = Date()
        if let multipart = entry.manifest.multipart {
            log.info("resuming a multipart upload", metadata: ["upload.partsDone": "\(multipart.parts.count)", "upload.key": "\(multipart.key)"])
        }
        do {
            try spool.save(entry)
            let delivery = try destination.deliver(&entry, save: { (e: SpoolEntry) throws(SpoolError) in try spool.save(e) })
            entry.manifest.deliveredAt = Date()
            entry.manifest.remoteETag = delivery.etag
            entry.manifest.confirmation = delivery.confirmation
            entry.manifest.remoteURL = delivery.url
            entry.manifest.lastError = nil
            entry.manifest.nextAttemptAt = nil
            let done = try spool.move(entry, to: .done)
            if !configuration.keepDeliveredClips { unlink(done.clipPath) }
            state.withLock {
                $0.summary.delivered += 1
                $0.summary.bytes += Int64(entry.manifest.size)
            }
            log.debug("delivered a clip", metadata: ["upload.url": "\(delivery.url)", "upload.confirmation": "\(delivery.confirmation)"])
            onDelivered?(done.manifest)
        } catch {
            settle(&entry, after: error, destination: destination, logger: log)
        }
    }

    private func settle(_ entry: inout SpoolEntry, after error: SpoolError, destination: any Destination, logger log: Logger) {
        do {
            if error.code == .cancelled {
                entry.manifest.attempts -= 1
                try spool.move(entry, to: .pending)
                return
            }
            entry.manifest.lastError = error.description
            let exhausted = configuration.retry.maxAttempts.map { entry.manifest.attempts >= $0 } ?? false
            if error.isTransient && !exhausted {
                let delay = configuration.retry.delay(afterAttempt: entry.manifest.attempts, retryAfter: error.retryAfter)
                entry.manifest.nextAttemptAt = Date().addingTimeInterval(delay)
                try spool.move(entry, to: .pending)
                state.withLock { $0.summary.retriesScheduled += 1 }
                log.info("upload failed; will retry", metadata: [
                    "error": "\(error)", "upload.attempts": "\(entry.manifest.attempts)", "upload.retryIn": "\(String(format: "%.2f", delay))",
                ])
            } else {
                destination.abandon(&entry)
                entry.manifest.nextAttemptAt = nil
                try spool.move(entry, to: .failed)
                state.withLock { $0.summary.failed += 1 }
                log.info("upload refused; entry moved to failed", metadata: ["error": "\(error)"])
            }
        } catch {
            // The spool itself failed (disk full, …): the entry stays in inflight/ and recovery requeues it.
            log.info("could not record an upload outcome", metadata: ["error": "\(error)"])
        }
    }
}

/// Hands a non-Sendable per-thread object to the thread that alone uses it.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
