/// Decodes a whole input once and counts what came out (like `ffprobe -count_frames`).
public struct FrameCount: Sendable, Equatable {
    /// Decoded pictures of the best video stream.
    public var frames: Int
    /// Packets or pictures the decoder rejected.
    public var decodeErrors: Int
    /// Best-effort timestamps of the first and last picture, in stream ticks.
    public var firstTimestamp: MediaTime?
    public var lastTimestamp: MediaTime?
    /// Why the file looks truncated, if it does (see ``Demuxer/truncationDetail``).
    public var truncation: String?

    /// Decodes every frame of `source`'s best video stream, draining the decoder at the end.
    @available(*, noasync, message: "blocks; call from a pipeline thread")
    public static func decodeAll(_ source: SourceURL, options: DemuxerOptions = DemuxerOptions(), threads: Int = 0)
        throws(MediaError) -> FrameCount
    {
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: source, options: options), threads: threads)
        var frame = try Frame()
        var count = FrameCount(frames: 0, decodeErrors: 0)
        let timeBase = reader.videoStream.timeBase
        while try reader.nextFrame(into: &frame) {
            count.frames += 1
            let pts = frame.pts(timeBase: timeBase)
            if count.frames == 1 { count.firstTimestamp = pts }
            count.lastTimestamp = pts
        }
        count.decodeErrors = reader.decoder.decodeErrors
        count.truncation = reader.demuxer.truncationDetail
        return count
    }
}
