import SeccamMotion
import XCTest

/// Batches of frames (``MotionDetector/process(frames:count:into:)``), in line and on the detector's own thread
/// (``OverlappedDetector``), score exactly like the detector called on each frame.
final class OverlappedDetectorTests: XCTestCase {
    /// 320x240 is large enough for MOG2 and the morphology to be split into parallel bands, so the waiting
    /// thread's help (`ParallelBands.assist`) is exercised too.
    private let width = 320, height = 240

    private func frameByFrame(_ options: DetectorOptions, frames: Int) throws -> [FrameScore] {
        let detector = try MotionDetector(options: options, videoWidth: width, videoHeight: height)
        var scene = SyntheticScene(width: width, height: height, seed: 7)
        return (0..<frames).map { detector.process(scene.frame($0)) }
    }

    private func options() -> DetectorOptions {
        var options = DetectorOptions()
        options.kernelSize = 3
        return options
    }

    func testBatchesInLineScoreLikeSingleFrames() throws {
        for subtractor in [SubtractorKind.mog2, .cnt] {
            var options = options()
            options.subtractor = subtractor
            let expected = try frameByFrame(options, frames: 120)
            XCTAssertTrue(expected.contains { $0.score > 0 }, "the scene must have motion for the comparison to mean anything")
            let detector = try MotionDetector(options: options, videoWidth: width, videoHeight: height)
            var scene = SyntheticScene(width: width, height: height, seed: 7)
            let batch = GrayBatch(capacity: 16, pixelsPerFrame: width * height)
            var actual: [FrameScore] = []
            for f in 0..<120 {
                let image = scene.frame(f)
                _ = image.pixels.withUnsafeBufferPointer { batch.appendFrame().update(fromContentsOf: $0) }
                if batch.isFull || f == 119 {
                    detector.process(frames: batch.frames, count: batch.count, into: &actual)
                    batch.removeAll()
                }
            }
            XCTAssertEqual(actual, expected, "\(subtractor)")
            // The mask the detector shows afterwards is the last frame's.
            let last = try MotionDetector(options: options, videoWidth: width, videoHeight: height)
            var replay = SyntheticScene(width: width, height: height, seed: 7)
            for f in 0..<120 { _ = last.process(replay.frame(f)) }
            XCTAssertEqual(detector.withMask { Array($0) }, last.withMask { Array($0) }, "\(subtractor)")
        }
    }

    func testOverlappedBatchesScoreLikeSingleFrames() throws {
        let expected = try frameByFrame(options(), frames: 120)
        let overlapped = OverlappedDetector(detector: try MotionDetector(options: options(), videoWidth: width, videoHeight: height),
                                            pixels: width * height, framesPerBatch: 7)
        defer { overlapped.stop() }
        var scene = SyntheticScene(width: width, height: height, seed: 7)
        var actual: [FrameScore] = []
        var inFlight = false
        var batch = overlapped.nextBatch()
        for f in 0..<120 {
            let image = scene.frame(f)
            _ = image.pixels.withUnsafeBufferPointer { batch.appendFrame().update(fromContentsOf: $0) }
            guard batch.isFull || f == 119 else { continue }
            if inFlight { overlapped.withResults { actual += $0 } }
            overlapped.submit(batch)
            inFlight = true
            batch = overlapped.nextBatch()
        }
        overlapped.withResults { actual += $0 }
        XCTAssertEqual(actual.count, expected.count)
        XCTAssertEqual(actual, expected)
    }

    func testBatchesAlternateAndStopWaitsForTheBatchInFlight() throws {
        let overlapped = OverlappedDetector(detector: try MotionDetector(options: DetectorOptions(), videoWidth: width, videoHeight: height),
                                            pixels: width * height, framesPerBatch: 2)
        let first = overlapped.nextBatch(), second = overlapped.nextBatch(), third = overlapped.nextBatch()
        XCTAssertFalse(first === second)
        XCTAssertTrue(first === third)
        _ = first.appendFrame()
        XCTAssertEqual(first.count, 1)
        overlapped.submit(first)
        overlapped.stop()
        overlapped.stop()
    }

    func testBatchSizeFollowsTheMemoryBudget() {
        XCTAssertEqual(GrayBatch.framesPerBatch(pixelsPerFrame: 640 * 360), 24)
        XCTAssertEqual(GrayBatch.framesPerBatch(pixelsPerFrame: 1920 * 1080), 12)
        XCTAssertEqual(GrayBatch.framesPerBatch(pixelsPerFrame: 3840 * 2160), 3)
        XCTAssertEqual(GrayBatch.framesPerBatch(pixelsPerFrame: 1000, budgetBytes: 500), 1)
    }
}
