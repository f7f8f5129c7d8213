import Dispatch
import Foundation

/// Work that can be split into contiguous bands of `0..<count`. A class, so that handing it to the
/// pool's threads needs no allocation (a closure context would be boxed on every call).
protocol BandWork: AnyObject {
    /// Processes one band; bands never overlap and may run concurrently.
    func work(_ band: Range<Int>)
}

/// Splits `0..<count` into contiguous bands and runs them on a fixed pool of worker threads.
///
/// The pool is created once, so running work does not allocate (libdispatch's `concurrentPerform`
/// allocates on every call). If another detector is using the pool, the caller runs all bands itself:
/// detectors on different cameras then run in parallel instead of waiting for each other.
final class ParallelBands: @unchecked Sendable {
    private static let shared = ParallelBands(workers: ProcessInfo.processInfo.activeProcessorCount - 1)

    private let busy = NSLock()
    private let starts: [DispatchSemaphore]
    private let finished = DispatchSemaphore(value: 0)
    // Set by `run` before the start signals and cleared after the finish waits (semaphores order the accesses).
    private var job: (any BandWork)?
    private var count = 0
    private var bands = 0

    private init(workers: Int) {
        starts = (0..<max(0, workers)).map { _ in DispatchSemaphore(value: 0) }
        for worker in starts.indices {
            let thread = Thread { [unowned self] in self.serve(band: worker + 1) }
            thread.name = "SeccamMotion.band\(worker + 1)"
            thread.start()
        }
    }

    private func serve(band: Int) {
        while true {
            starts[band - 1].wait()
            job?.work(range(band))
            finished.signal()
        }
    }

    private func range(_ band: Int) -> Range<Int> {
        (count * band / bands)..<(count * (band + 1) / bands)
    }

    /// Calls `work.work(_:)` once per band; bands cover `0..<count` in order without overlap and may run
    /// concurrently.
    ///
    /// - Parameter minimumBand: below this many items per band, fewer bands are used.
    static func run(count: Int, minimumBand: Int, _ work: any BandWork) {
        let pool = shared
        let bands = min(pool.starts.count + 1, max(1, count / max(minimumBand, 1)))
        guard bands > 1, pool.busy.try() else {
            work.work(0..<count)
            return
        }
        defer { pool.busy.unlock() }
        pool.job = work
        pool.count = count
        pool.bands = bands
        for band in 1..<bands {
            pool.starts[band - 1].signal()
        }
        work.work(pool.range(0))
        for _ in 1..<bands {
            pool.finished.wait()
        }
        pool.job = nil
    }
}
