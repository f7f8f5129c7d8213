import Foundation
import Logging
import Synchronization

/// Runs ``ClipRetention`` at start and then every `interval` seconds on its own thread, until stopped.
public final class RetentionSweeper: Sendable {
    private let stopping = Mutex(false)
    private let wake = DispatchSemaphore(value: 0)

    public init(retention: @escaping @Sendable () -> ClipRetention, interval: Double = 60, logger: Logger) {
        let thread = Thread { [self] in
            while !stopping.withLock({ $0 }) {
                let report = retention().sweep(logger: logger)
                if report.bytesFreed > 0 {
                    logger.notice("retention sweep", metadata: [
                        "clips.deleted": "\(report.deleted.count + report.deletedWaiting.count)", "bytes.freed": "\(report.bytesFreed)",
                    ])
                }
                _ = wake.wait(timeout: .now() + interval)
            }
        }
        thread.name = "retention"
        thread.start()
    }

    public func stop() {
        stopping.withLock { $0 = true }
        wake.signal()
    }
}
