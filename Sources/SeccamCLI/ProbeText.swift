import Foundation
import SeccamEngine

/// Human-readable rendering of a ``ProbeReport``.
enum ProbeText {
    static func render(_ r: ProbeReport) -> String {
        var out = "Input: \(r.source)\n"
        out += "  container: \(r.format) (\(r.formatLongName))\n"
        out += "  duration: \(r.durationSeconds.map { String(format: "%.3f s", $0) } ?? "unknown (live)")"
        out += r.bitRate.map { ", bit rate \($0 / 1000) kb/s\n" } ?? "\n"
        for s in r.streams {
            out += "  stream #\(s.index) \(s.type.rawValue): \(s.codec)\(s.profile.map { " (\($0))" } ?? "")"
            if s.type == .video {
                out += ", \(s.width ?? 0)x\(s.height ?? 0), \(s.pixelFormat ?? "?")"
                out += ", r \(s.realFrameRate ?? "?") fps, avg \(s.averageFrameRate ?? "?") fps"
                if let degrees = s.rotation, let width = s.width, let height = s.height {
                    let shown = degrees == 180 ? (width, height) : (height, width)
                    out += ", turned \(degrees)° clockwise for display (detected as \(shown.0)x\(shown.1))"
                }
            }
            if s.type == .audio { out += ", \(s.sampleRate ?? 0) Hz, \(s.channels ?? 0) ch" }
            out += ", time base \(s.timeBase)"
            out += ", frames \(s.frameCount.map(String.init) ?? "unknown")"
            if s.index == r.videoStream { out += " [detector input]" }
            out += "\n"
        }
        if let mean = r.meanKeyframeInterval {
            let lo = r.keyframeIntervals.min() ?? mean, hi = r.keyframeIntervals.max() ?? mean
            out += String(format: "  keyframe interval: %.3f s mean (%.3f–%.3f s) over the first %.1f s\n",
                          mean, lo, hi, r.scannedSeconds)
        } else {
            out += String(format: "  keyframe interval: fewer than two keyframes in the first %.1f s\n", r.scannedSeconds)
        }
        if let frames = r.decodedFrames {
            out += "  decoded: \(frames) frames, \(r.decodeErrors ?? 0) decode errors\n"
        }
        return out
    }
}
