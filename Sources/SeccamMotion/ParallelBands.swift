import Dispatch
import Foundation
import Synchronization

/// Work that can be split into contiguous bands of `0..<count`. A class, so that handing it to the
/// pool's threads needs no allocation (a closure context would be boxed on every call).
protocol BandWork: AnyObject {
    /// Processes one band; bands never overlap and may run concurrently.
    func work(_ band: Range<Int>)
}

/// Splits `0..<count` into contiguous bands and runs them on a fixed pool of worker threads.
///
/// The pool is created once, so running work does not allocate (libdispatch's `concurrentPerform`
/// allocates on every call). Bands are handed out dynamically: the work is cut into several bands per thread and
/// each thread (the caller included) takes the next unclaimed one until none is left, so uneven bands (motion in
/// part of the picture makes MOG2 slower there) and threads preempted by the decoder's do not leave a core idle.
/// If another detector is using the pool, the caller runs all bands itself: detectors on different cameras then
/// run in parallel instead of waiting for each other.
final class ParallelBands: @unchecked Sendable {
    private static let shared = ParallelBands(workers: ProcessInfo.processInfo.activeProcessorCount - 1)
    /// Bands per participating thread.
    private static let bandsPerThread = 8

    private let busy = NSLock()
    private let starts: [DispatchSemaphore]
    private let finished = DispatchSemaphore(value: 0)
    /// The next unclaimed band of the current job.
    private let next = Atomic<Int>(0)
    // Set by `run` before the start signals and cleared after the finish waits (semaphores order the accesses).
    private var job: (any BandWork)?
    private var count = 0
    private var bands = 0

    private init(workers: Int) {
        starts = (0..<max(0, workers)).map { _ in DispatchSemaphore(value: 0) }
        for worker in starts.indices {
            let thread = Thread { [unowned self] in self.serve(worker: worker) }
            thread.name = "SeccamMotion.band\(worker + 1)"
            thread.start()
        }
    }

    private func serve(worker: Int) {
        while true {
            starts[worker].wait()
            drain()
            finished.signal()
        }
    }

    /// Runs unclaimed bands of the current job until none is left.
    private func drain() {
        guard let job else { return }
        while true {
            let band = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if band >= bands { return }
            job.work((count * band / bands)..<(count * (band + 1) / bands))
        }
    }

    /// Calls `work.work(_:)` once per band; bands cover `0..<count` without overlap and may run concurrently, in
    /// any order.
    ///
    /// - Parameter minimumBand: below this many items per band, fewer bands (and threads) are used.
    static func run(count: Int, minimumBand: Int, _ work: any BandWork) {
        let pool = shared
        let most = max(1, count / max(minimumBand, 1))
        let threads = min(pool.starts.count + 1, most)
        guard threads > 1, pool.busy.try() else {
            work.work(0..<count)
            return
        }
        defer { pool.busy.unlock() }
        pool.job = work
        pool.count = count
        pool.bands = min(most, threads * bandsPerThread)
        pool.next.store(0, ordering: .relaxed)
        for worker in 0..<(threads - 1) {
            pool.starts[worker].signal()
        }
        pool.drain()
        for _ in 1..<threads {
            pool.finished.wait()
        }
        pool.job = nil
    }
}
