import Foundation
import SeccamMotion
import XCTest

/// Opt-in timing of `MOG2Subtractor.apply` on raw 8-bit gray frames.
///
/// Set `SECCAM_MOG2_BENCH=path:width:height` (e.g. from
/// `ffmpeg -i in.mp4 -frames:v 300 -pix_fmt gray -f rawvideo out.gray`) and run with `-c release`.
/// Prints process CPU ms per frame (all threads) for each implementation; skipped otherwise.
final class MOG2BenchmarkTests: XCTestCase {
    func testBenchmarkApply() throws {
        guard let spec = ProcessInfo.processInfo.environment["SECCAM_MOG2_BENCH"] else {
            throw XCTSkip("set SECCAM_MOG2_BENCH=path:width:height to time MOG2")
        }
        let parts = spec.split(separator: ":")
        let width = try XCTUnwrap(Int(parts[1])), height = try XCTUnwrap(Int(parts[2]))
        let data = try Data(contentsOf: URL(fileURLWithPath: String(parts[0])))
        let size = width * height
        let frames = data.count / size
        XCTAssertGreaterThan(frames, 0)
        let bytes = [UInt8](data)
        let skip = min(frames / 2, 250)  // time the steady state (learning rate 1/500 from frame 250)
        var mask = [UInt8](repeating: 0, count: size)
        func cpuSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let chosen = ProcessInfo.processInfo.environment["SECCAM_MOG2_BENCH_IMPL"]
        for implementation in SubtractorImplementation.allCases where implementation != .reference {
            if let chosen, "\(implementation)" != chosen { continue }
            let subtractor = MOG2Subtractor(width: width, height: height, implementation: implementation)
            var warm = 0.0, steady = 0.0
            bytes.withUnsafeBufferPointer { all in
                mask.withUnsafeMutableBufferPointer { target in
                    for frame in 0..<frames {
                        let start = cpuSeconds()
                        subtractor.apply(UnsafeBufferPointer(rebasing: all[(frame * size)..<((frame + 1) * size)]),
                                         mask: target)
                        let spent = cpuSeconds() - start
                        if frame < skip { warm += spent } else { steady += spent }
                    }
                }
            }
            print(String(format: "MOG2 %@ %dx%d: %.3f ms/frame CPU (frames 0..<%d), %.3f ms/frame CPU (frames %d..<%d)",
                         "\(implementation)", width, height, warm * 1000 / Double(skip), skip,
                         steady * 1000 / Double(frames - skip), skip, frames))
        }
    }
}
