import Foundation
import Logging
import Synchronization

/// One camera watched by `run`: a name (used in folders and logs), its sources, detection options and
/// where its clips go.
public struct CameraSpec: Sendable {
    public var name: String
    /// The main stream: clips are cut from it.
    public var source: SourceURL
    /// Optional low-resolution stream to detect on (not yet used by the pipeline: detection runs on `source`).
    public var detectSource: SourceURL?
    public var options: ScanOptions
    /// Clips go to `output/<name>/<YYYY-MM-DD>/`.
    public var output: String
    public var container: ClipContainer
    /// Changes whenever a setting changes; a reload restarts the camera only then.
    public var fingerprint: String

    public init(name: String, source: SourceURL, options: ScanOptions, output: String, container: ClipContainer = .mp4,
                detectSource: SourceURL? = nil, fingerprint: String = "") {
        self.fingerprint = fingerprint
        self.name = name
        self.source = source
        self.options = options
        self.output = output
        self.container = container
        self.detectSource = detectSource
    }
}

/// Keeps one camera recording: runs its pipeline (a ``ScanSession`` on the live source, with clips) on a
/// dedicated thread, and when the source errors, ends or stalls (no packet within the read timeout),
/// reconnects with exponential backoff and jitter (1 s doubling up to 60 s; back to 1 s after a session that
/// streamed for 30 s). One camera's failures never touch another's thread.
public final class CameraSupervisor: Sendable {
    /// What the camera is doing.
    public enum State: String, Sendable {
        case connecting, streaming, backoff, stopped
    }

    public let spec: CameraSpec
    private let logger: Logger
    private let status = Mutex(Status())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    private struct Status {
        var state = State.connecting
        var stopping = false
        var interrupt: InterruptFlag?
        var reconnects = 0
        var events = 0
        var heartbeat = ContinuousClock.now
    }

    public init(spec: CameraSpec, logger: Logger) {
        self.spec = spec
        var logger = logger
        logger[metadataKey: "camera.id"] = "\(spec.name)"
        self.logger = logger
    }

    /// Current state, reconnect count and number of finished events.
    public var state: State { status.withLock { $0.state } }
    public var reconnects: Int { status.withLock { $0.reconnects } }
    public var events: Int { status.withLock { $0.events } }

    /// Seconds since the camera's thread last showed it is alive (a frame, a connect attempt, a backoff tick).
    /// A thread stuck in a call that ignores its timeout shows here; the systemd watchdog uses it.
    public var secondsSinceHeartbeat: Double { (ContinuousClock.now - status.withLock { $0.heartbeat }).seconds }

    private func beat() { status.withLock { $0.heartbeat = .now } }

    /// Starts the camera's thread.
    public func start() {
        let thread = Thread { [self] in
            runLoop()
            finished.signal()
        }
        thread.name = "camera-\(spec.name)"
        thread.start()
    }

    /// Asks the camera to stop: reading stops, the open clip is finished (post time cut short).
    public func stop() {
        let interrupt = status.withLock { s -> InterruptFlag? in
            s.stopping = true
            return s.interrupt
        }
        interrupt?.cancel()
        wake.signal()
    }

    /// Waits until the camera's thread has finished, up to `timeout` seconds; false if it has not.
    public func waitUntilStopped(timeout: Double) -> Bool {
        finished.wait(timeout: .now() + timeout) == .success
    }

    private func runLoop() {
        var delay = 1.0
        while !status.withLock({ $0.stopping }) {
            let interrupt = InterruptFlag()
            status.withLock {
                $0.interrupt = interrupt
                $0.state = .connecting
            }
            if status.withLock({ $0.stopping }) { interrupt.cancel() }
            beat()
            var options = spec.options
            options.interrupt = interrupt
            options.wallClockOrigin = Date()
            var clips = ClipSettings(directory: spec.output, container: spec.container)
            clips.camera = spec.name
            options.clips = clips
            let started = Date()
            do {
                logger.info("camera connecting", metadata: ["camera.source": "\(spec.source.redacted)"])
                let result = try ScanSession(inputs: [spec.source], options: options, logger: logger).run(
                    onProgress: { _ in
                        self.status.withLock {
                            $0.state = .streaming
                            $0.heartbeat = .now
                        }
                    })
                status.withLock { $0.events += result.events.count }
                logger.info("camera stream ended", metadata: ["camera.events": "\(result.events.count)"])
            } catch let error as ScanInterrupted {
                status.withLock { $0.events += error.partial.count }
                logger.info("camera stream failed", metadata: ["error": "\(error.cause)"])
            } catch {
                logger.info("camera session failed", metadata: ["error": "\(error)"])
            }
            if status.withLock({ $0.stopping }) { break }
            if Date().timeIntervalSince(started) > 30 { delay = 1 }
            let wait = delay * Double.random(in: 0.8...1.2)
            status.withLock {
                $0.state = .backoff
                $0.reconnects += 1
            }
            logger.info("camera reconnecting after backoff", metadata: ["backoff.seconds": "\(String(format: "%.1f", wait))"])
            let resume = Date().addingTimeInterval(wait)
            while !status.withLock({ $0.stopping }), Date() < resume {
                beat()
                _ = wake.wait(timeout: .now() + min(1, max(0, resume.timeIntervalSinceNow)))
            }
            delay = min(delay * 2, 60)
        }
        status.withLock { $0.state = .stopped }
    }
}
