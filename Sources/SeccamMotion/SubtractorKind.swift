/// The background subtractor, as dvr-scan's `-b/--bg-subtractor` names it.
public enum SubtractorKind: String, Sendable, CaseIterable {
    /// OpenCV MOG2 (Gaussian mixture), dvr-scan's default.
    case mog2 = "MOG2"
    /// opencv_contrib CNT (pixel stability counting).
    case cnt = "CNT"
}
