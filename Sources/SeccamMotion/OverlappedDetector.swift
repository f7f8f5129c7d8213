import Foundation

/// Runs a ``MotionDetector`` on a thread of its own, one batch of frames behind the caller, so that decoding and
/// converting the next frames overlaps detecting the previous ones. While the caller waits for scores it takes
/// bands of the detector's parallel work itself, so the two threads share the cores. Scores are the same as
/// calling `detector.process` in line: the detector still sees every frame once, in order.
///
/// Use: fill the frames of ``nextBatch()``, ``submit(_:)`` it, and take ``withResults(_:)`` before the next submit;
/// call ``stop()`` when done (the thread keeps the object alive until then). Two batches are handed out
/// alternately, so the caller fills one while the detector reads the other. The caller's thread is counted as busy
/// on a core of its own (``ParallelBands/reserveCore()``) from `init` to `stop()`.
public final class OverlappedDetector: @unchecked Sendable {
    // Ordering: the caller sets `input` and then signals `request`; the worker sets `output` and then sets
    // `finished` under the band pool's lock, where the caller reads it. `stopping` is set before the last `request`.
    private let detector: MotionDetector
    private let batches: (GrayBatch, GrayBatch)
    private var useSecond = false
    private var input: GrayBatch?
    private var output: [FrameScore] = []
    private var finished = false
    private var inFlight = false
    private var stopping = false
    private let request = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// Starts the detector thread.
    ///
    /// - Parameters:
    ///   - pixels: the size of one gray frame (`plan.width * plan.height`).
    ///   - framesPerBatch: frames in each batch (see ``GrayBatch/framesPerBatch(pixelsPerFrame:budgetBytes:)``).
    public init(detector: MotionDetector, pixels: Int, framesPerBatch: Int) {
        self.detector = detector
        batches = (GrayBatch(capacity: framesPerBatch, pixelsPerFrame: pixels),
                   GrayBatch(capacity: framesPerBatch, pixelsPerFrame: pixels))
        output.reserveCapacity(framesPerBatch)
        ParallelBands.reserveCore()
        let thread = Thread { [self] in serve() }
        thread.name = "seccam.detect"
        thread.start()
    }

    /// The batch to fill next, emptied (never the one the detector may be reading).
    public func nextBatch() -> GrayBatch {
        defer { useSecond.toggle() }
        let batch = useSecond ? batches.1 : batches.0
        batch.removeAll()
        return batch
    }

    /// Starts detecting the frames of `batch`, which must stay untouched until ``withResults(_:)`` returns.
    public func submit(_ batch: GrayBatch) {
        precondition(!inFlight && !stopping, "OverlappedDetector: submit after stop, or before taking the results")
        input = batch
        inFlight = true
        request.signal()
    }

    /// Waits for the submitted frames' scores, helping with their parallel bands meanwhile, and hands them to
    /// `body` in order. The array is reused for the next batch (no allocation per batch): do not keep it.
    public func withResults<Result>(_ body: ([FrameScore]) throws -> Result) rethrows -> Result {
        precondition(inFlight, "OverlappedDetector: nothing submitted")
        ParallelBands.assist(until: { finished })
        finished = false
        inFlight = false
        input = nil
        defer { output.removeAll(keepingCapacity: true) }
        return try body(output)
    }

    /// Waits for frames still in flight (their scores are dropped), then ends the thread. Safe to call twice.
    public func stop() {
        guard !stopping else { return }
        if inFlight { withResults { _ in } }
        stopping = true
        request.signal()
        exited.wait()
        ParallelBands.releaseCore()
    }

    private func serve() {
        while true {
            request.wait()
            if stopping { break }
            let batch = input!
            detector.process(frames: batch.frames, count: batch.count, into: &output)
            ParallelBands.wakeAssistants { finished = true }
        }
        exited.signal()
    }
}
