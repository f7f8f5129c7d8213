internal import CSeccamMOG2

/// Counting and bounding-box helpers over 0/255 masks (C kernels, `cseccam_mask.h`). Public so that tests can
/// compare the kernels; `MotionDetector` is what uses them.
public enum MaskStatistics {
    /// Number of positions where both `a` and `b` are non-zero.
    public static func nonZeroBoth(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int,
                            kernel: MaskKernel = .best) -> Int {
        Int(cseccam_mask_count_both(kernel.rawValue, a, b, count))
    }

    /// The non-zero count, the count inside `area` (when given), and, when `box` is true, `cv2.boundingRect` of
    /// the non-zero pixels (`nil` when there are none), in one pass.
    public static func measure(_ pixels: UnsafePointer<UInt8>, area: UnsafePointer<UInt8>?, width: Int, height: Int,
                        box: Bool, kernel: MaskKernel = .best)
        -> (count: Int, inside: Int, rect: (x: Int, y: Int, width: Int, height: Int)?) {
        var count: Int64 = 0
        var inside: Int64 = 0
        var rect: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        if box {
            withUnsafeMutablePointer(to: &rect) { tuple in
                tuple.withMemoryRebound(to: Int32.self, capacity: 4) { r in
                    cseccam_mask_stats(kernel.rawValue, pixels, area, Int32(width), Int32(height), &count, &inside, r)
                }
            }
        } else {
            cseccam_mask_stats(kernel.rawValue, pixels, area, Int32(width), Int32(height), &count, &inside, nil)
        }
        let found = box && count > 0 ? (x: Int(rect.0), y: Int(rect.1), width: Int(rect.2), height: Int(rect.3)) : nil
        return (Int(count), Int(inside), found)
    }

    /// `cv2.boundingRect` of the non-zero pixels plus their count; the rectangle is `nil` when there are none.
    public static func boundingRect(_ pixels: UnsafePointer<UInt8>, width: Int, height: Int, kernel: MaskKernel = .best)
        -> (count: Int, rect: (x: Int, y: Int, width: Int, height: Int)?) {
        let m = measure(pixels, area: nil, width: width, height: height, box: true, kernel: kernel)
        return (m.count, m.rect)
    }
}
