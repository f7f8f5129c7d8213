/// OpenCV 4.12's `cvtColor(BGR2GRAY)` on 8-bit data: 15-bit fixed point, round half up (DVR-SCAN.md §1.4).
public enum BGRToGray {
    @inline(__always)
    public static func gray(b: UInt8, g: UInt8, r: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (3735 &* Int32(b) &+ 19235 &* Int32(g) &+ 9798 &* Int32(r) &+ 16384) >> 15)
    }
}
