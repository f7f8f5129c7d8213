import Foundation
import Logging
import Synchronization

/// Sends systemd's `WATCHDOG=1` every `interval` seconds, but only while every camera thread shows it is
/// alive (a heartbeat within ``staleAfter`` seconds). A stuck pipeline stops the pings, and systemd then
/// restarts the service (`WatchdogSec=` with `Restart=always`).
public final class ServiceWatchdog: Sendable {
    /// A camera whose thread has not beaten for this long counts as stuck.
    public let staleAfter: Double
    private let stopping = Mutex(false)
    private let done = DispatchSemaphore(value: 0)

    public init(service: CameraService, notify: SystemdNotify, interval: Double, staleAfter: Double = 90, logger: Logger) {
        self.staleAfter = staleAfter
        let thread = Thread { [self] in
            var reported = false
            while !stopping.withLock({ $0 }) {
                let stuck = service.cameras.filter { $0.secondsSinceHeartbeat > staleAfter }.map(\.spec.name)
                if stuck.isEmpty {
                    notify.send("WATCHDOG=1")
                    reported = false
                } else if !reported {
                    reported = true
                    logger.error("watchdog pings withheld: camera threads not making progress",
                                 metadata: ["cameras": "\(stuck.joined(separator: ","))"])
                }
                _ = done.wait(timeout: .now() + interval)
            }
        }
        thread.name = "systemd-watchdog"
        thread.start()
    }

    /// Stops the pings.
    public func stop() {
        stopping.withLock { $0 = true }
        done.signal()
    }
}
