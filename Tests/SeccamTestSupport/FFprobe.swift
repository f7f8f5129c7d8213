import Foundation

/// Facts about a video computed with the real ffprobe, for comparison with our decoder.
public enum FFprobe {
    /// Best-effort timestamps of every decoded frame of the first video stream, in stream ticks, in output order.
    public static func decodedFrameTimestamps(_ url: URL) throws -> [Int64?] {
        let out = try ProcessRunner.run([
            "ffprobe", "-v", "quiet", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp",
            "-of", "csv=p=0", url.path,
        ])
        return out.stdout.split(separator: "\n").map { Int64($0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ","))) }
    }
}
