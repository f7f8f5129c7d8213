import Foundation
import SeccamMedia
import SeccamTestSupport
import XCTest

/// The vector gray kernels (AVX2, AVX-512BW) must give the scalar C kernel's bytes (which GrayConverterTests
/// checks against swscale) on real footage, at every sampling: full frames, steps 1, 2 and 3, even and odd crop
/// origins, widths that are not multiples of the vector width, one-pixel and narrow crops.
final class GrayKernelTests: XCTestCase {
    private func samplings(width w: Int, height h: Int) -> [GraySampling] {
        var list: [GraySampling] = [.full(width: w, height: h)]
        for step in 1...3 {
            for (x, y) in [(0, 0), (1, 1), (2, 3), (7, 5), (w / 3, h / 4), (w - 1, h - 1)] {
                let maxW = (w - x + step - 1) / step, maxH = (h - y + step - 1) / step
                for width in Set([maxW, maxW - 1, 1, 31, 32, 33, 63, 64, 65, 97, 130, maxW / 2 + 1]) where width >= 1 && width <= maxW {
                    list.append(GraySampling(cropX: x, cropY: y, step: step, width: width, height: min(maxH, 9)))
                }
            }
        }
        return list
    }

    private func compareKernels(_ url: URL, frames: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(url.path)))
        let reference = GrayConverter(kernel: .scalar)
        let vectors = GrayKernel.available.filter { $0 != .scalar }.map { GrayConverter(kernel: $0) }
        if vectors.isEmpty { print("GrayKernelTests: this CPU has no vector gray kernel; only the scalar one ran") }
        var frame = try Frame()
        var expected: [UInt8] = [], actual: [UInt8] = []
        var compared = 0
        for _ in 0..<frames {
            XCTAssertTrue(try reader.nextFrame(into: &frame), file: file, line: line)
            for sampling in samplings(width: frame.width, height: frame.height) {
                try reference.convert(frame, sampling: sampling, into: &expected)
                for converter in vectors {
                    actual = [UInt8](repeating: 0xA5, count: expected.count)
                    try converter.convert(frame, sampling: sampling, into: &actual)
                    let mismatches = zip(actual, expected).filter { $0 != $1 }.count
                    XCTAssertEqual(mismatches, 0, "\(url.lastPathComponent) \(converter.kernel) \(sampling): \(mismatches) pixels differ",
                                   file: file, line: line)
                    compared += 1
                }
            }
        }
        if !vectors.isEmpty { XCTAssertGreaterThan(compared, 100, file: file, line: line) }
    }

    func testVectorKernelsEqualScalarOnLimitedRangeFootage() throws {
        try compareKernels(TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4"), frames: 3)
    }

    func testVectorKernelsEqualScalarOnOddSizedAndFullRangeFootage() throws {
        // 4:2:0 with odd-sized and full-range (yuvj420p) frames.
        try compareKernels(TestPaths.sharedVideos.appendingPathComponent("dvrscan_issue53_brightness_change.avi"), frames: 2)
        try compareKernels(TestPaths.fixtures.appendingPathComponent("moving_box_mjpeg.avi"), frames: 2)
        try compareKernels(TestPaths.sharedVideos.appendingPathComponent("intel_asl_gestures_walk.mkv"), frames: 2)
    }

    func testFullFrameOfEveryKernelEqualsScalar() throws {
        // Whole frames through the public default path too (what `scan` runs).
        let url = TestPaths.sharedVideos.appendingPathComponent("intel_one-by-one-person-detection.mp4")
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(url.path)))
        var frame = try Frame()
        var a: [UInt8] = [], b: [UInt8] = []
        for _ in 0..<5 {
            XCTAssertTrue(try reader.nextFrame(into: &frame))
            for step in 1...2 {
                let sampling = GraySampling(cropX: 0, cropY: 0, step: step, width: (frame.width + step - 1) / step,
                                            height: (frame.height + step - 1) / step)
                try GrayConverter(kernel: .scalar).convert(frame, sampling: sampling, into: &a)
                try GrayConverter().convert(frame, sampling: sampling, into: &b)
                XCTAssertEqual(a, b, "step \(step), default kernel \(GrayKernel.best)")
            }
        }
    }
}
