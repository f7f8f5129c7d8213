import Foundation

/// Runs a ``MotionDetector`` on a thread of its own, one frame behind the caller, so that decoding and
/// converting frame N+1 overlaps detecting frame N. While the caller waits for a score it takes bands of the
/// detector's parallel work itself, so the two threads share the cores. Scores are the same as calling
/// `detector.process` in line: the detector still sees every frame once, in order.
///
/// Use: fill ``nextBuffer()`` with a gray frame, ``submit(_:)`` it, and take ``result()`` before the next
/// submit; call ``stop()`` when done (the thread keeps the object alive until then). Two gray buffers are
/// handed out alternately, so the caller fills one while the detector reads the other.
public final class OverlappedDetector: @unchecked Sendable {
    /// One gray frame; a class so the two threads never share the storage of an enclosing collection.
    public final class GrayBuffer {
        public var pixels: [UInt8]
        init(count: Int) { pixels = [UInt8](repeating: 0, count: count) }
    }

    // Ordering: the caller sets `input` and then signals `request`; the worker sets `output` and then sets
    // `finished` under the band pool's lock, where the caller reads it. `stopping` is set before the last `request`.
    private let detector: MotionDetector
    private let buffers: (GrayBuffer, GrayBuffer)
    private var useSecond = false
    private var input: GrayBuffer?
    private var output: FrameScore?
    private var finished = false
    private var inFlight = false
    private var stopping = false
    private let request = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// Starts the detector thread; `pixels` is the size of one gray frame (`plan.width * plan.height`).
    public init(detector: MotionDetector, pixels: Int) {
        self.detector = detector
        buffers = (GrayBuffer(count: pixels), GrayBuffer(count: pixels))
        let thread = Thread { [self] in serve() }
        thread.name = "seccam.detect"
        thread.start()
    }

    /// The buffer to fill with the next gray frame (never the one the detector may be reading).
    public func nextBuffer() -> GrayBuffer {
        defer { useSecond.toggle() }
        return useSecond ? buffers.1 : buffers.0
    }

    /// Starts detecting `gray`, which must stay untouched until ``result()`` returns.
    public func submit(_ gray: GrayBuffer) {
        precondition(!inFlight && !stopping, "OverlappedDetector: submit after stop, or before taking result()")
        input = gray
        inFlight = true
        request.signal()
    }

    /// Waits for the submitted frame's score, helping with its parallel bands meanwhile.
    public func result() -> FrameScore {
        precondition(inFlight, "OverlappedDetector: nothing submitted")
        ParallelBands.assist(until: { finished })
        finished = false
        inFlight = false
        input = nil
        defer { output = nil }
        return output!
    }

    /// Waits for a frame still in flight (its score is dropped), then ends the thread. Safe to call twice.
    public func stop() {
        guard !stopping else { return }
        if inFlight { _ = result() }
        stopping = true
        request.signal()
        exited.wait()
    }

    private func serve() {
        while true {
            request.wait()
            if stopping { break }
            output = input!.pixels.withUnsafeBufferPointer { detector.process($0) }
            ParallelBands.wakeAssistants { finished = true }
        }
        exited.signal()
    }
}
