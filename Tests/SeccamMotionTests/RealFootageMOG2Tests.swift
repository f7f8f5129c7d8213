import Foundation
import SeccamMotion
import SeccamTestSupport
import XCTest

/// Every MOG2 code path (the C kernel's AVX-512VL and AVX2 builds, the Swift SIMD code) gives the scalar
/// reference's masks on real footage: gray frames of the traffic video (ffmpeg) at odd crops and sizes.
final class RealFootageMOG2Tests: XCTestCase {
    func testAllPathsEqualReferenceOnTrafficFootage() throws {
        let url = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("mog2-\(UUID().uuidString).gray")
        defer { try? FileManager.default.removeItem(at: raw) }
        let frames = 90
        let result = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", url.path, "-frames:v", "\(frames)",
                                            "-pix_fmt", "gray", "-f", "rawvideo", "-y", raw.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let data = [UInt8](try Data(contentsOf: raw))
        let (fullWidth, fullHeight) = (1280, 720)
        XCTAssertEqual(data.count, frames * fullWidth * fullHeight)
        // (crop x, crop y, step, width, height): a 631,532 ROI-like crop and a subsampled whole frame.
        for (x0, y0, step, width, height) in [(631, 531, 1, 209, 127), (1, 0, 5, 255, 144)] {
            let reference = MOG2Subtractor(width: width, height: height, implementation: .reference)
            let others = [SubtractorImplementation.vectorized, .avx2, .portableVectorized].map {
                ($0, MOG2Subtractor(width: width, height: height, implementation: $0))
            }
            var gray = GrayImage(width: width, height: height)
            var expected = GrayImage(width: width, height: height)
            var actual = GrayImage(width: width, height: height)
            var foreground = 0
            for f in 0..<frames {
                for y in 0..<height {
                    for x in 0..<width {
                        gray.pixels[y * width + x] = data[f * fullWidth * fullHeight + (y0 + y * step) * fullWidth + x0 + x * step]
                    }
                }
                reference.apply(gray, mask: &expected)
                if f > 0 { foreground += expected.pixels.filter { $0 != 0 }.count }
                for (name, subtractor) in others {
                    subtractor.apply(gray, mask: &actual)
                    let differing = zip(expected.pixels, actual.pixels).filter { $0 != $1 }.count
                    XCTAssertEqual(differing, 0, "\(name) \(width)x\(height) frame \(f)")
                    if differing > 0 { return }
                }
            }
            XCTAssertGreaterThan(foreground, 0, "the footage must have motion to be a meaningful check")
        }
    }
}
