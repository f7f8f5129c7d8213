import Foundation
import SeccamEngine

/// dvr-scan's console output for a scan: log lines, the event table (precision 1) and the
/// comma-separated timecode line (precision 3). `-q` prints only that last line.
enum ScanText {
    static func render(_ r: ScanResult, options: ScanOptions, firstInput: String, quiet: Bool) -> String {
        let fps = r.framesPerSecond
        let commaLine = r.events.flatMap { [Timecode.format(frames: $0.startFrame, fps: fps, precision: 3),
                                            Timecode.format(frames: $0.endFrame, fps: fps, precision: 3)] }
            .joined(separator: ",")
        if quiet { return r.events.isEmpty ? "" : commaLine + "\n" }
        let d = options.detector
        let kernel = d.kernelSize == -1 ? "\(r.kernelSize) (auto)" : (r.kernelSize == 0 ? "off" : "\(r.kernelSize)")
        let variance = d.varianceThreshold == 16 ? "auto" : "\(d.varianceThreshold)"
        let learning = d.learningRate == -1 ? "auto" : "\(d.learningRate)"
        let name = (firstInput as NSString).lastPathComponent
        var lines = [
            "[seccam] Opened video \(name) (\(r.width) x \(r.height) at \(String(format: "%2.3f", fps)) FPS).",
            "[seccam] Using subtractor \(d.subtractor.rawValue) with kernel_size = \(kernel), variance_threshold = \(variance) and learning_rate = \(learning)",
            "[seccam] Scanning input video for motion events...",
            String(format: "[seccam] Processed %d frames read in %.1f secs (avg %.1f FPS).",
                   r.framesProcessed * (options.frameSkip + 1), r.elapsedSeconds,
                   Double(r.framesProcessed * (options.frameSkip + 1)) / max(r.elapsedSeconds, 1e-9)),
        ]
        if r.decodeErrors > 0 { lines.append("[seccam] \(r.decodeErrors) packets could not be decoded and were skipped.") }
        guard !r.events.isEmpty else {
            lines.append("[seccam] No motion events detected in input.")
            return lines.joined(separator: "\n") + "\n"
        }
        let rule = String(repeating: "-", count: 61)
        lines += ["[seccam] Detected \(r.events.count) motion events in input.", "[seccam] List of motion events:",
                  rule, "|   Event #    |  Start Time  |   Duration   |   End Time   |", rule]
        for e in r.events {
            let start = Timecode.format(frames: e.startFrame, fps: fps, precision: 1)
            let length = Timecode.format(frames: max(0, e.endFrame - e.startFrame), fps: fps, precision: 1)
            let end = Timecode.format(frames: e.endFrame, fps: fps, precision: 1)
            lines.append(String(format: "|  Event %4d  |  ", e.index) + "\(start)  |  \(length)  |  \(end)  |")
        }
        lines += [rule]
        for e in r.events { if let clip = e.clipPath { lines.append("[seccam] Event \(e.index) clip: \(clip)") } }
        lines += ["[seccam] Comma-separated timecode values:", commaLine]
        return lines.joined(separator: "\n") + "\n"
    }
}
