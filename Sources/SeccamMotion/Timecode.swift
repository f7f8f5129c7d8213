import Foundation

/// scenedetect 0.6.7.1 `FrameTimecode.get_timecode` (DVR-SCAN.md §5.1).
public enum Timecode {
    /// `HH:MM:SS[.d…]` for `frames / fps`, seconds rounded half-even on the exact binary value
    /// (Python `round(secs, precision)`), with a 60-second carry.
    ///
    /// - Parameter precision: decimal places; dvr-scan prints 1 in its table and 3 in the comma list.
    public static func format(frames: Int, fps: Double, precision: Int) -> String {
        let precision = max(0, precision)
        var seconds = Double(frames) / fps
        var hours = Int(seconds / 3600)
        seconds -= Double(hours * 3600)
        var minutes = Int(seconds / 60)
        seconds = max(0, seconds - Double(minutes * 60))
        // printf rounds correctly (half-even on the exact value), like Python's round(x, n).
        var rounded = String(format: "%.\(precision)f", seconds)
        var value = min(60, Double(rounded) ?? 0)
        if Int(value) == 60 {
            value = 0
            rounded = String(format: "%.\(precision)f", 0.0)
            minutes += 1
            if minutes >= 60 {
                minutes = 0
                hours += 1
            }
        }
        let fraction = rounded.firstIndex(of: ".").map { String(rounded[$0...]) } ?? ""
        return String(format: "%02d:%02d:%02d", hours, minutes, Int(value)) + fraction
    }
}
