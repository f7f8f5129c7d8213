import Synchronization
internal import CSeccamFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// Lets another thread cancel a blocking FFmpeg call, and bounds each blocking call with a deadline.
///
/// FFmpeg polls it through `AVIOInterruptCB` during open, read and network waits. A cancelled call fails
/// with ``MediaError/Code/cancelled``; one that outlived its deadline with ``MediaError/Code/timedOut``.
public final class InterruptFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let deadline = Atomic<UInt64>(.max)

    public init() {}

    /// Requests that the current and every later blocking call on the owning object stop.
    public func cancel() { cancelled.store(true, ordering: .releasing) }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Starts a deadline `timeout` from now for the next blocking call (nil: no deadline).
    func arm(timeout: Duration?) {
        guard let timeout else { deadline.store(.max, ordering: .releasing); return }
        let (seconds, attoseconds) = timeout.components
        let nanos = UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
        deadline.store(Self.now() &+ nanos, ordering: .releasing)
    }

    /// Whether the armed deadline has passed.
    var deadlinePassed: Bool { Self.now() >= deadline.load(ordering: .acquiring) }

    /// FFmpeg's question: stop now?
    var shouldInterrupt: Bool { isCancelled || deadlinePassed }

    /// The code for a failed call: cancelled/timed out when this flag caused it, otherwise the AVERROR mapping.
    func code(for averror: Int32) -> MediaError.Code {
        if isCancelled { return .cancelled }
        if averror == cseccam_averror_exit() || deadlinePassed { return deadlinePassed ? .timedOut : .cancelled }
        return MediaError.Code(averror: averror)
    }

    /// The C callback FFmpeg calls; `opaque` is an unretained pointer to the flag.
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<InterruptFlag>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(self).toOpaque())
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
