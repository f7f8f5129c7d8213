/// dvr-scan's rule for the morphology kernel size (DVR-SCAN.md §3.1).
public enum KernelSize {
    /// The kernel size dvr-scan actually uses.
    ///
    /// - Parameters:
    ///   - requested: `-k`: -1 for auto, 0 for off, or an odd size >= 3.
    ///   - videoWidth: the full (uncropped) frame width.
    ///   - downscale: `-df`; 0 and 1 both mean no downscaling.
    /// - Returns: the side of the all-ones square kernel; 0 or 1 means no filtering.
    public static func effective(requested: Int, videoWidth: Int, downscale: Int) -> Int {
        let factor = Double(max(downscale, 1))
        if requested == -1 {
            let width = (Double(videoWidth) / factor).rounded(.toNearestOrEven)
            return width >= 1920 ? 7 : width >= 1280 ? 5 : 3
        }
        if requested == 0 || requested == 1 {
            return requested
        }
        var size = Int((Double(requested) / factor).rounded(.toNearestOrEven))
        if size % 2 == 0 {
            size -= 1
        }
        return max(size, 3)
    }
}
