import Dispatch
import Foundation

/// Splits `0..<count` into contiguous bands and runs them on all cores.
enum ParallelBands {
    /// Cores available to the process, read once.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` once per band; bands cover `0..<count` in order without overlap.
    ///
    /// - Parameter minimumBand: below this many items per band, fewer bands are used.
    static func run(count: Int, minimumBand: Int, _ body: (Range<Int>) -> Void) {
        let bands = min(cores, max(1, count / max(minimumBand, 1)))
        if bands <= 1 {
            body(0..<count)
            return
        }
        // Bands write disjoint ranges and concurrentPerform returns only when all are done,
        // so sharing the non-Sendable closure (and the buffers it captures) is safe.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: bands) { band in
            body((count * band / bands)..<(count * (band + 1) / bands))
        }
    }
}
