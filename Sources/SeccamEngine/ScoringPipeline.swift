import SeccamMotion

/// How a scan gets its frames scored, always in frame order: each frame in line as it is decoded, in batches in
/// line, or in batches on the detector's own thread, one batch behind decoding (``OverlappedDetector``). MOG2 takes
/// a batch faster than its frames one by one (its model is fetched once per batch). Scores are the same either
/// way; they only come later.
final class ScoringPipeline {
    /// A frame waiting for its score: its decode index and its OpenCV time (for `--use-pts`).
    typealias Waiting = (index: Int, milliseconds: Double)

    private let detector: MotionDetector
    private let overlapped: OverlappedDetector?
    /// The batch being filled, with its frames' indexes (nil when each frame is scored as it comes).
    private var filling: GrayBatch?
    private var fillingFrames: [Waiting] = []
    /// The frames of the batch on the detector thread.
    private var inFlightFrames: [Waiting] = []
    /// The scores of a batch scored in line.
    private var scores: [FrameScore] = []
    /// The one-frame buffer of frame-by-frame scoring.
    private var gray: [UInt8] = []

    /// Decoded frames a frame's score can come after its own decoding, at most.
    let lagFrames: Int

    /// - Parameters:
    ///   - batch: frames scored together (1: each frame as it comes).
    ///   - overlapped: whether batches are scored on the detector's own thread.
    ///   - frameStride: decoded frames per scored frame (`-fs` + 1), for ``lagFrames``.
    init(detector: MotionDetector, batch: Int, overlapped: Bool, frameStride: Int) {
        self.detector = detector
        let pixels = detector.plan.width * detector.plan.height
        self.overlapped = overlapped ? OverlappedDetector(detector: detector, pixels: pixels, framesPerBatch: batch) : nil
        if let overlapped = self.overlapped {
            filling = overlapped.nextBatch()
        } else if batch > 1 {
            filling = GrayBatch(capacity: batch, pixelsPerFrame: pixels)
            scores.reserveCapacity(batch)
        } else {
            gray = [UInt8](repeating: 0, count: pixels)
        }
        fillingFrames.reserveCapacity(batch)
        inFlightFrames.reserveCapacity(batch)
        lagFrames = (overlapped ? 2 : 1) * (filling == nil ? 0 : batch) * frameStride
    }

    /// Adds the next frame to score: `convert` writes its gray pixels into the buffer it is given. `scored` is
    /// called for every frame whose score is ready, in order (this frame's, or earlier frames').
    func add(_ frame: Waiting, convert: (UnsafeMutableBufferPointer<UInt8>) throws -> Void,
             scored: (FrameScore, Waiting) throws -> Void) throws {
        guard let batch = filling else {
            try gray.withUnsafeMutableBufferPointer { try convert($0) }
            try scored(gray.withUnsafeBufferPointer { detector.process($0) }, frame)
            return
        }
        try convert(batch.appendFrame())
        fillingFrames.append(frame)
        if batch.isFull { try flush(scored: scored) }
    }

    /// Scores every frame added so far; `scored` as for ``add(_:convert:scored:)``.
    func finish(scored: (FrameScore, Waiting) throws -> Void) throws {
        try flush(scored: scored)
        if let overlapped, !inFlightFrames.isEmpty { try reportInFlight(of: overlapped, to: scored) }
        inFlightFrames.removeAll()
    }

    /// Ends the detector thread (scores still in flight are dropped). Safe to call twice.
    func stop() {
        overlapped?.stop()
    }

    /// Scores the batch being filled in line, or hands it to the detector thread once the batch before it is scored.
    private func flush(scored: (FrameScore, Waiting) throws -> Void) throws {
        guard let batch = filling, batch.count > 0 else { return }
        guard let overlapped else {
            detector.process(frames: batch.frames, count: batch.count, into: &scores)
            defer {
                scores.removeAll(keepingCapacity: true)
                fillingFrames.removeAll(keepingCapacity: true)
                batch.removeAll()
            }
            for (score, frame) in zip(scores, fillingFrames) { try scored(score, frame) }
            return
        }
        if !inFlightFrames.isEmpty { try reportInFlight(of: overlapped, to: scored) }
        overlapped.submit(batch)
        swap(&inFlightFrames, &fillingFrames)
        fillingFrames.removeAll(keepingCapacity: true)
        filling = overlapped.nextBatch()
    }

    /// Waits for the batch on the detector thread and reports its frames' scores.
    private func reportInFlight(of overlapped: OverlappedDetector, to scored: (FrameScore, Waiting) throws -> Void) throws {
        try overlapped.withResults { scores in
            for (score, frame) in zip(scores, inFlightFrames) { try scored(score, frame) }
        }
    }
}
