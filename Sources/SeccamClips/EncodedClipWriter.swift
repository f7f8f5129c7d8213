import Foundation
import SeccamMedia

/// A re-encoded clip (`scan -m encode`) written crash-safely like a stream-copied one: the ``VideoEncoder``
/// writes `NAME.partial` (fragmented MP4, one fragment a second, or Matroska), and ``finish(requestedStartSeconds:actualStartSeconds:endSeconds:)``
/// drains the encoder, fsyncs, remuxes with `+faststart` (MP4) and renames it to `NAME` (``ClipFiles``).
/// A writer released without `finish` leaves the `.partial` file, which ``ClipFiles/recover(in:logger:)``
/// finalizes or removes at the next start. Video only: the clip carries no audio (as dvr-scan's encode output).
/// Not thread-safe.
public final class EncodedClipWriter {
    public let path: String
    private let partialPath: String
    private let container: ClipContainer
    private let encoder: VideoEncoder

    /// Starts `path` (written as `path.partial` until finished) for `width` × `height` pictures at `frameRate`,
    /// each turned by `rotation` first (`width` × `height` is the turned size).
    /// - Throws: ``MediaError`` from the encoder or muxer, or a file system error creating the folder.
    public init(path: String, container: ClipContainer, width: Int, height: Int, frameRate: TimeBase,
                rotation: DisplayRotation = .none, preferredCodec: String = "libx264") throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        self.path = path
        self.container = container
        partialPath = path + ClipFiles.partialSuffix
        encoder = try VideoEncoder(
            path: partialPath, format: container.formatName, width: width, height: height, frameRate: frameRate,
            rotation: rotation, preferredCodec: preferredCodec,
            muxerOptions: container == .mp4 ? ["movflags": "frag_keyframe+empty_moov+default_base_moof", "frag_duration": "1000000"] : [:])
    }

    /// The encoder in use (`libx264`, or `mpeg4` when this FFmpeg has no libx264).
    public var codecName: String { encoder.codecName }
    public var usedFallback: Bool { encoder.usedFallback }
    /// Frames encoded so far.
    public var frameCount: Int { Int(encoder.framesEncoded) }

    /// Encodes one picture with `overlays` painted on it, as the clip's next frame.
    public func encode(_ snapshot: FrameSnapshot, overlays: VideoOverlays) throws(MediaError) {
        try encoder.encode(snapshot, overlays: overlays)
    }

    /// Drains the encoder, closes the file and gives it its final name (fsynced).
    /// - Returns: the finished clip with its size and SHA-256.
    public func finish(requestedStartSeconds: Double, actualStartSeconds: Double, endSeconds: Double?) throws -> FinishedClip {
        try encoder.finish()
        try ClipFiles.finalize(partial: partialPath, final: path, container: container)
        let digest = try ClipFiles.digest(path: path)
        return FinishedClip(path: path, requestedStartSeconds: requestedStartSeconds, actualStartSeconds: actualStartSeconds,
                            endSeconds: endSeconds, bytes: digest.bytes, sha256: digest.sha256, droppedStreams: [])
    }
}

@available(*, unavailable) extension EncodedClipWriter: Sendable {}
