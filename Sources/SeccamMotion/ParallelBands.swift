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
/// The caller waits only for bands that were claimed, never for a worker that has not woken up yet.
/// If another detector is using the pool, the caller runs all bands itself: detectors on different cameras then
/// run in parallel instead of waiting for each other.
///
/// A thread that waits for a detector on another thread (``OverlappedDetector``) can ``assist(until:)``: it then
/// takes bands of the pool's jobs like a worker, so decode and detection share the cores. While such a thread is
/// busy decoding it occupies a core of its own (``reserveCore()``), and the pool's workers that would need that core
/// stay out of the jobs: with more threads than cores the scheduler shares the cores evenly, the single-threaded
/// decoder falls behind the detector and a core then idles until it catches up (measured on 2 cores, 720p
/// defaults: 1.26-1.29 s wall with no worker in the jobs against 1.34-1.52 s with one).
final class ParallelBands: @unchecked Sendable {
    private static let shared = ParallelBands(workers: ProcessInfo.processInfo.activeProcessorCount - 1)
    /// Bands per participating thread.
    private static let bandsPerThread = 8

    private let workers: Int
    private let busy = NSLock()
    /// Guards posting and clearing the job, and `helpers`; signalled when either changes.
    private let state = NSCondition()
    /// Threads other than the caller working inside the current job (registered before they claim a band).
    private var helpers = 0
    /// The pool's own workers among `helpers`.
    private var workersInJob = 0
    /// Cores kept by busy threads outside the pool (``reserveCore()``); the workers may use the others.
    private var reservedCores = 0
    /// The next unclaimed band of the current job.
    private let next = Atomic<Int>(0)
    // Posted and cleared under `state`; read without it only by registered threads, while the job cannot change.
    private var job: (any BandWork)?
    private var count = 0
    private var bands = 0

    private init(workers: Int) {
        self.workers = max(0, workers)
        for worker in 0..<self.workers {
            let thread = Thread { [unowned self] in Self.assist(pool: self, asWorker: true, until: { false }) }
            thread.name = "SeccamMotion.band\(worker + 1)"
            thread.start()
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
        let threads = min(pool.workers + 1, most)
        guard threads > 1, pool.busy.try() else {
            work.work(0..<count)
            return
        }
        defer { pool.busy.unlock() }
        pool.state.lock()
        pool.job = work
        pool.count = count
        pool.bands = min(most, threads * bandsPerThread)
        pool.next.store(0, ordering: .relaxed)
        pool.state.broadcast()
        pool.state.unlock()
        pool.drain()
        // Every band is claimed; the ones still running belong to registered helpers.
        pool.state.lock()
        while pool.helpers > 0 { pool.state.wait() }
        pool.job = nil
        pool.state.unlock()
    }

    /// Runs bands of the pool's jobs as they are posted, until `isDone()` is true. `isDone` is evaluated under
    /// the pool's lock; whatever makes it true must do so inside ``wakeAssistants(_:)``.
    static func assist(until isDone: () -> Bool) {
        assist(pool: shared, asWorker: false, until: isDone)
    }

    /// Keeps one core for a thread outside the pool that will stay busy (the decoding thread of an
    /// ``OverlappedDetector``) until ``releaseCore()``: the pool's workers then join jobs only while the cores
    /// left allow it. Reservations add up.
    static func reserveCore() {
        let pool = shared
        pool.state.lock()
        pool.reservedCores += 1
        pool.state.unlock()
    }

    /// Gives back a core kept by ``reserveCore()``.
    static func releaseCore() {
        let pool = shared
        pool.state.lock()
        pool.reservedCores -= 1
        pool.state.broadcast()
        pool.state.unlock()
    }

    private static func assist(pool: ParallelBands, asWorker: Bool, until isDone: () -> Bool) {
        pool.state.lock()
        defer { pool.state.unlock() }
        while !isDone() {
            guard pool.job != nil, pool.next.load(ordering: .relaxed) < pool.bands,
                  !asWorker || pool.workersInJob < pool.workers - pool.reservedCores else {
                pool.state.wait()
                continue
            }
            pool.helpers += 1
            if asWorker { pool.workersInJob += 1 }
            pool.state.unlock()
            pool.drain()
            pool.state.lock()
            pool.helpers -= 1
            if asWorker { pool.workersInJob -= 1 }
            if pool.helpers == 0 { pool.state.broadcast() }
        }
    }

    /// Runs `change` under the pool's lock (the change that makes an ``assist(until:)`` condition true) and
    /// wakes the assisting threads to look at it.
    static func wakeAssistants(_ change: () -> Void) {
        let pool = shared
        pool.state.lock()
        change()
        pool.state.broadcast()
        pool.state.unlock()
    }
}
