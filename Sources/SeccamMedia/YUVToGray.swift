/// OpenCV 4.12's `cvtColor(BGR2GRAY)` on 8-bit data: 15-bit fixed point, round half up (DVR-SCAN.md §1.4).
public enum BGRToGray {
    @inline(__always)
    public static func gray(b: UInt8, g: UInt8, r: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (3735 &* Int32(b) &+ 19235 &* Int32(g) &+ 9798 &* Int32(r) &+ 16384) >> 15)
    }
}

/// swscale's x86 SSSE3 YUV→BGR24 integer formula (DVR-SCAN.md §1.1) as per-component lookup tables,
/// followed by ``BGRToGray``. Exact for all 2^24 inputs; each chroma sample serves its 2×2 luma block.
public struct YUVToGrayTables: Sendable {
    private let luma: [Int32]
    private let blueFromU: [Int32]
    private let greenFromU: [Int32]
    private let greenFromV: [Int32]
    private let redFromV: [Int32]

    /// Limited ("TV") range, used for every format except `yuvj*`.
    public static let limitedRange = YUVToGrayTables(cY: 9539, yOffset: 128, cVR: 13075, cUB: 16525, cVG: -6660, cUG: -3209)
    /// Full ("JPEG") range, used for `yuvj*` formats.
    public static let fullRange = YUVToGrayTables(cY: 8192, yOffset: 0, cVR: 11485, cUB: 14516, cVG: -5850, cUG: -2819)

    private init(cY: Int32, yOffset: Int32, cVR: Int32, cUB: Int32, cVG: Int32, cUG: Int32) {
        luma = (0..<256).map { ((8 * Int32($0) - yOffset) * cY) >> 16 }
        blueFromU = (0..<256).map { ((8 * Int32($0) - 1024) * cUB) >> 16 }
        greenFromU = (0..<256).map { ((8 * Int32($0) - 1024) * cUG) >> 16 }
        greenFromV = (0..<256).map { ((8 * Int32($0) - 1024) * cVG) >> 16 }
        redFromV = (0..<256).map { ((8 * Int32($0) - 1024) * cVR) >> 16 }
    }

    /// The gray value of one Y/U/V triple.
    @inline(__always)
    public func gray(y: UInt8, u: UInt8, v: UInt8) -> UInt8 {
        luma.withUnsafeBufferPointer { l in
            blueFromU.withUnsafeBufferPointer { bu in
                greenFromU.withUnsafeBufferPointer { gu in
                    greenFromV.withUnsafeBufferPointer { gv in
                        redFromV.withUnsafeBufferPointer { rv in
                            Self.gray(Int(y), Int(u), Int(v), l, bu, gu, gv, rv)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func gray(
        _ y: Int, _ u: Int, _ v: Int, _ l: UnsafeBufferPointer<Int32>, _ bu: UnsafeBufferPointer<Int32>,
        _ gu: UnsafeBufferPointer<Int32>, _ gv: UnsafeBufferPointer<Int32>, _ rv: UnsafeBufferPointer<Int32>
    ) -> UInt8 {
        let yy = l[y]
        let b = clamp(yy &+ bu[u])
        let g = clamp(yy &+ (gu[u] &+ gv[v]))
        let r = clamp(yy &+ rv[v])
        return UInt8(truncatingIfNeeded: (3735 &* b &+ 19235 &* g &+ 9798 &* r &+ 16384) >> 15)
    }

    @inline(__always)
    private static func clamp(_ x: Int32) -> Int32 { min(max(x, 0), 255) }

    /// Converts the sampled pixels of 4:2:0 planes into `out` (row-major, `sampling.width` per row).
    func convert420(y: Plane, u: Plane, v: Plane, sampling: GraySampling, into out: UnsafeMutableBufferPointer<UInt8>) {
        guard let yBase = y.base, let uBase = u.base, let vBase = v.base else { return }
        luma.withUnsafeBufferPointer { l in
            blueFromU.withUnsafeBufferPointer { bu in
                greenFromU.withUnsafeBufferPointer { gu in
                    greenFromV.withUnsafeBufferPointer { gv in
                        redFromV.withUnsafeBufferPointer { rv in
                            var index = 0
                            for i in 0..<sampling.height {
                                let row = sampling.cropY + i * sampling.step
                                let yRow = yBase + row * y.stride
                                let uRow = uBase + (row >> 1) * u.stride
                                let vRow = vBase + (row >> 1) * v.stride
                                var x = sampling.cropX
                                for _ in 0..<sampling.width {
                                    out[index] = Self.gray(
                                        Int(yRow[x]), Int(uRow[x >> 1]), Int(vRow[x >> 1]), l, bu, gu, gv, rv)
                                    index += 1
                                    x += sampling.step
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
