import Foundation
import SeccamMotion
import SeccamTestSupport
import XCTest

/// The vector mask kernels (AVX2, AVX-512BW) must equal the scalar C kernel (which MorphologyTests checks against
/// OpenCV) on real masks and on edge cases: sizes that are not multiples of the vector width, one-pixel images,
/// windows larger than the image, empty and full masks; and the statistics must equal a plain count.
final class MaskKernelTests: XCTestCase {
    /// MOG2 masks of real footage (gray frames from ffmpeg, subsampled), some of every size below.
    private func realMasks(width: Int, height: Int, step: Int, frames: Int) throws -> [[UInt8]] {
        let url = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("masks-\(UUID().uuidString).gray")
        defer { try? FileManager.default.removeItem(at: raw) }
        let result = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", url.path, "-frames:v", "\(frames)",
                                            "-pix_fmt", "gray", "-f", "rawvideo", "-y", raw.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let data = [UInt8](try Data(contentsOf: raw))
        let (fullWidth, fullHeight) = (1280, 720)
        let subtractor = MOG2Subtractor(width: width, height: height)
        var gray = GrayImage(width: width, height: height)
        var mask = GrayImage(width: width, height: height)
        var masks: [[UInt8]] = []
        for f in 0..<(data.count / (fullWidth * fullHeight)) {
            for y in 0..<height {
                for x in 0..<width {
                    gray.pixels[y * width + x] = data[f * fullWidth * fullHeight + (3 + y * step) * fullWidth + 5 + x * step]
                }
            }
            subtractor.apply(gray, mask: &mask)
            if f >= 3 { masks.append(mask.pixels) }
        }
        XCTAssertTrue(masks.contains { $0.contains(255) } && masks.contains { $0.contains(0) })
        return masks
    }

    private func checkAllKernels(_ mask: [UInt8], width: Int, height: Int, sizes: [Int], label: String) {
        var expected = GrayImage(width: width, height: height, pixels: mask)
        for k in sizes {
            expected.pixels = mask
            Morphology(width: width, height: height, kernelSize: k, kernel: .scalar).open(&expected)
            for kernel in MaskKernel.available where kernel != .scalar {
                var actual = GrayImage(width: width, height: height, pixels: mask)
                Morphology(width: width, height: height, kernelSize: k, kernel: kernel).open(&actual)
                XCTAssertEqual(actual.pixels, expected.pixels, "\(label) \(width)x\(height) k=\(k) \(kernel)")
            }
        }
        // Statistics against a plain count, with an area that is every third pixel.
        let area = (0..<mask.count).map { UInt8($0 % 3 == 0 ? 1 : 0) }
        var count = 0, inside = 0, minX = Int.max, maxX = -1, minY = Int.max, maxY = -1
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] != 0 {
                count += 1
                if area[y * width + x] != 0 { inside += 1 }
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        for kernel in MaskKernel.available {
            mask.withUnsafeBufferPointer { m in
                area.withUnsafeBufferPointer { a in
                    let result = MaskStatistics.measure(m.baseAddress!, area: a.baseAddress, width: width, height: height,
                                                        box: true, kernel: kernel)
                    XCTAssertEqual(result.count, count, "\(label) \(kernel)")
                    XCTAssertEqual(result.inside, inside, "\(label) \(kernel)")
                    XCTAssertEqual(result.rect?.x, count > 0 ? minX : nil, "\(label) \(kernel)")
                    XCTAssertEqual(result.rect?.y, count > 0 ? minY : nil, "\(label) \(kernel)")
                    XCTAssertEqual(result.rect?.width, count > 0 ? maxX - minX + 1 : nil, "\(label) \(kernel)")
                    XCTAssertEqual(result.rect?.height, count > 0 ? maxY - minY + 1 : nil, "\(label) \(kernel)")
                    XCTAssertEqual(MaskStatistics.nonZeroBoth(m.baseAddress!, a.baseAddress!, count: mask.count, kernel: kernel),
                                   inside, "\(label) \(kernel)")
                }
            }
        }
    }

    func testKernelsEqualScalarOnRealMasks() throws {
        if MaskKernel.available == [.scalar] { print("MaskKernelTests: no vector mask kernel on this CPU; scalar only") }
        // 637x357 (odd, not a multiple of 32 or 64) and 425x239 from the traffic video at steps 2 and 3.
        for (width, height, step) in [(637, 357, 2), (425, 239, 3)] {
            let masks = try realMasks(width: width, height: height, step: step, frames: 24)
            for (index, mask) in masks.enumerated() where index % 4 == 0 {
                checkAllKernels(mask, width: width, height: height, sizes: [3, 5, 7, 9], label: "real frame \(index)")
            }
        }
    }

    func testKernelsEqualScalarOnEdgeCases() {
        var seed: UInt64 = 12345
        func random() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        let sizes = [(1, 1), (1, 9), (9, 1), (2, 2), (31, 5), (32, 4), (33, 3), (63, 7), (64, 6), (65, 5), (66, 4),
                     (127, 3), (128, 3), (129, 9), (200, 1), (1, 200), (3, 130)]
        for (width, height) in sizes {
            for density in [0, 5, 50, 95, 100] {
                let mask = (0..<(width * height)).map { _ in UInt8(Int(random() % 100) < density ? 255 : 0) }
                checkAllKernels(mask, width: width, height: height, sizes: [3, 5, 7, 21], label: "density \(density)")
            }
        }
    }
}
