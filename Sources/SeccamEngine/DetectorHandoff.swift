import Foundation
import Synchronization

/// Carries a camera's background model (its ``MotionDetector``) from one session to the next, so a short
/// reconnect does not start detection from an empty model (a fresh MOG2 model calls the whole first frames
/// "motion" until it has learnt the scene). The model is reused only when the stream comes back with the
/// same size within ``maxGap`` seconds.
public final class DetectorHandoff: Sendable {
    /// Longest gap between sessions over which the model is kept.
    public let maxGap: Double
    private let kept = Mutex<Kept?>(nil)

    private struct Kept: @unchecked Sendable {
        // A MotionDetector is not thread-safe; it is only ever used by the one camera thread that
        // alternates keep() and take(), the mutex only hands it over.
        var detector: MotionDetector
        var width: Int
        var height: Int
        var at: ContinuousClock.Instant
    }

    public init(maxGap: Double = 30) { self.maxGap = maxGap }

    /// Keeps `detector` (for a `width`×`height` stream) for the next session.
    func keep(_ detector: MotionDetector, width: Int, height: Int) {
        kept.withLock { $0 = Kept(detector: detector, width: width, height: height, at: .now) }
    }

    /// The kept model if it fits a `width`×`height` stream and the gap is short enough; it is handed over once.
    func take(width: Int, height: Int) -> MotionDetector? {
        kept.withLock { slot in
            defer { slot = nil }
            guard let k = slot, k.width == width, k.height == height,
                  (ContinuousClock.now - k.at) <= .milliseconds(Int64(maxGap * 1000)) else { return nil }
            return k.detector
        }
    }
}
