import Foundation

/// The JSON sidecar written next to each clip: what happened, when, and how to check the clip file.
public struct EventRecord: Sendable, Codable {
    /// Camera name (live sources) or nil for file scans, and the source (credentials redacted).
    public var camera: String?
    public var source: String
    /// 1-based event number.
    public var eventIndex: Int
    /// dvr-scan's frames (exclusive end) and times (frame / fps), and the frames' real timestamps.
    public var startFrame: Int
    public var endFrame: Int
    public var startSeconds: Double
    public var endSeconds: Double
    public var startPTSSeconds: Double
    public var endPTSSeconds: Double
    /// Wall-clock UTC of the event for live sources (ISO 8601), nil for files.
    public var wallClockStart: String?
    public var wallClockEnd: String?
    /// Pre-roll asked for (time before the motion, from `-tb`) and achieved (the clip starts at the keyframe at or
    /// before the event start, so usually more; less only if the buffer held no keyframe that early).
    public var requestedPreRollSeconds: Double
    public var achievedPreRollSeconds: Double
    public var peakScore: Double
    public var peakFrame: Int
    public var boundingBox: MotionBox?
    public var triggeredRegions: [String]
    /// Clip and thumbnail file names (in the sidecar's folder), clip size and SHA-256.
    public var clip: String
    public var thumbnail: String?
    public var clipBytes: Int
    public var clipSHA256: String
    /// Input streams the clip container could not carry.
    public var droppedStreams: [String]
    /// How the clip was made: "copy" (stream copy, `-m copy`) or "encode" (re-encoded with overlays, `-m encode`).
    public var mode: String = "copy"
    /// For "encode": the encoder used (`libx264`, or `mpeg4` when this FFmpeg has no libx264) and the frame count.
    public var encoder: String? = nil
    public var clipFrames: Int? = nil

    /// Writes the record as pretty JSON to `path` atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let temporary = path + ".tmp"
        try encoder.encode(self).write(to: URL(fileURLWithPath: temporary))
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
        guard rename(temporary, path) == 0 else {
            throw ClipFileError("rename \(temporary) -> \(path): \(String(cString: strerror(errno)))")
        }
    }
}
