/// The container of motion clips.
public enum ClipContainer: String, Sendable, CaseIterable, Codable {
    /// MP4: fragmented while recording (a clip cut short by a crash stays playable), `+faststart` when finished.
    case mp4
    /// Matroska: holds any codec (MP2/PCM audio too); progressive, so also playable when cut short.
    case mkv

    /// FFmpeg's muxer name.
    var formatName: String { self == .mp4 ? "mp4" : "matroska" }
    /// File name extension, without the dot.
    public var fileExtension: String { rawValue }
}

/// Where and how clips are written.
public struct ClipSettings: Sendable {
    /// Folder for clips (created if needed).
    public var directory: String
    public var container: ClipContainer = .mp4
    /// Bound on the pre-roll packet buffer's payload bytes.
    public var maxBufferBytes = 256 << 20
    /// For live cameras: clips go to `directory/<camera>/<YYYY-MM-DD>/<camera>-<UTC time>.<ext>`; nil names
    /// them after the input file as dvr-scan does (`<stem>.DSME_0001.<ext>` in `directory`).
    public var camera: String?

    public init(directory: String, container: ClipContainer = .mp4) {
        self.directory = directory
        self.container = container
    }
}

/// A finished, complete clip file.
public struct FinishedClip: Sendable, Codable {
    /// Path of the final file.
    public var path: String
    /// Where the clip was asked to start and where it starts (the keyframe at or before that), in seconds
    /// of the source's video stream (its own timestamps).
    public var requestedStartSeconds: Double
    public var actualStartSeconds: Double
    /// Where it ends (exclusive), nil when it ran to the end of the input.
    public var endSeconds: Double?
    /// Clip file size and SHA-256 (hex).
    public var bytes: Int
    public var sha256: String
    /// Input streams not carried because the container cannot hold their codec.
    public var droppedStreams: [String]
}
