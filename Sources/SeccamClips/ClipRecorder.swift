import Foundation
import Logging
import SeccamMedia

/// Cuts clips out of an input's own compressed stream in the same pass that decodes it: every packet read
/// goes into a ``PacketBuffer``; a clip starts at the last video keyframe at or before the requested start
/// and copies packets (video and the audio the container can hold) with timestamps rebased to 0.
///
/// Drive it from the read loop: ``add(_:)`` for each packet, ``start(path:at:)`` when an event starts,
/// ``write(through:)`` as decoded frames confirm the event goes on, ``finish(at:)`` when it ends.
/// Not thread-safe; one per input.
public final class ClipRecorder {
    public let buffer: PacketBuffer
    private let demuxer: Demuxer
    private let settings: ClipSettings
    private let logger: Logger
    private let videoStream: StreamInfo
    private let audioStreams: [StreamInfo]
    private var clip: OpenClip?

    private struct OpenClip {
        var muxer: Muxer
        var partialPath: String
        var finalPath: String
        /// Next buffered packet to consider.
        var cursor: Int
        /// Input stream index → output stream index, for the streams this clip carries.
        var outputs: [Int: Int]
        /// Clip start in the video time base (the keyframe's pts) and as each stream's tick offset.
        var start: MediaTime
        var requested: MediaTime
        var offsets: [Int: Int64]
        var dropped: [String]
        /// The last video dts written (input time base), for packets that arrive without one.
        var lastVideoDTS: Int64?
        /// After a packet whose timestamps had to be made up, until a packet brings its own dts: missing dts are
        /// made up too (the muxer's own guess would not follow ours).
        var repairingDTS = false
    }

    /// - Parameter retentionSeconds: pre-roll the buffer must always be able to give.
    public init(demuxer: Demuxer, settings: ClipSettings, retentionSeconds: Double, logger: Logger) throws {
        guard let video = demuxer.videoStreamIndex else {
            throw ClipFileError("\(demuxer.source.redacted) has no video stream to cut clips from")
        }
        self.demuxer = demuxer
        self.settings = settings
        self.logger = logger
        videoStream = demuxer.stream(video)
        audioStreams = demuxer.streams.filter { $0.mediaType == .audio }
        buffer = PacketBuffer(videoStream: video, retentionSeconds: retentionSeconds, maxBytes: settings.maxBufferBytes)
        try FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
    }

    /// Whether a clip is being written.
    public var isRecording: Bool { clip != nil }

    /// Keeps `packet` (video or audio) for pre-roll and for the open clip.
    public func add(_ packet: borrowing Packet) throws(MediaError) {
        let index = packet.streamIndex
        guard index == videoStream.index || audioStreams.contains(where: { $0.index == index }) else { return }
        buffer.append(try RetainedPacket(referencing: packet, timeBase: demuxer.stream(index).timeBase),
                      protecting: clip?.cursor)
    }

    /// Starts a clip file at `path` (final name; it is written as `path.partial` until finished), beginning at
    /// the last keyframe at or before `requested` (or the oldest keyframe held, if none is that early).
    /// - Returns: the clip's real start time.
    @discardableResult
    public func start(path: String, at requested: MediaTime) throws -> MediaTime {
        if clip != nil { _ = try finish(at: requested) }
        guard let keyIndex = buffer.latestKeyframe(atOrBefore: requested) ?? buffer.oldestKeyframe() else {
            throw ClipFileError("no keyframe received yet from \(demuxer.source.redacted); cannot start \(path)")
        }
        let key = buffer[keyIndex].info
        let start = key.pts ?? key.dts
            ?? repairedTimestamps(at: keyIndex, lastDTS: nil, repairingDTS: false).map { MediaTime(ticks: $0.pts, timeBase: videoStream.timeBase) }
            ?? requested
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let partial = path + ClipFiles.partialSuffix
        let muxer = try Muxer(path: partial, format: settings.container.formatName)
        var outputs: [Int: Int] = [videoStream.index: try muxer.addStream(copying: videoStream.index, of: demuxer)]
        var dropped: [String] = []
        for audio in audioStreams {
            if muxer.canHold(audio) {
                outputs[audio.index] = try muxer.addStream(copying: audio.index, of: demuxer)
            } else {
                dropped.append("stream \(audio.index) (\(audio.codecName) audio)")
            }
        }
        if !dropped.isEmpty {
            logger.warning("the clip container cannot hold some audio; dropping it (choose mkv to keep it)",
                           metadata: ["clip.path": "\(path)", "clip.dropped": "\(dropped.joined(separator: ", "))"])
        }
        // Fragments of about a second, each flushed to the file as it completes (flush_packets), so a crash
        // loses at most the fragment being built, even for a low-bitrate camera.
        let fragmented = ["movflags": "frag_keyframe+empty_moov+default_base_moof", "frag_duration": "1000000"]
        try muxer.writeHeader(options: (settings.container == .mp4 ? fragmented : [:]).merging(["flush_packets": "1"]) { $1 })
        var offsets: [Int: Int64] = [:]
        for input in outputs.keys { offsets[input] = start.rescaled(to: demuxer.stream(input).timeBase).ticks }
        clip = OpenClip(muxer: muxer, partialPath: partial, finalPath: path, cursor: keyIndex, outputs: outputs,
                        start: start, requested: requested, offsets: offsets, dropped: dropped)
        return start
    }

    /// Writes the buffered packets needed for every frame shown up to `limit` (inclusive), in read order
    /// (so reference frames that come earlier in decode order are carried too).
    public func write(through limit: MediaTime) throws {
        try write(upTo: limit, inclusive: true)
    }

    /// Writes the rest of the clip up to `end` (exclusive; nil = everything received), finishes the file,
    /// fsyncs it and gives it its final name.
    public func finish(at end: MediaTime?) throws -> FinishedClip {
        guard clip != nil else { throw ClipFileError("no clip is being recorded") }
        if let end { try write(upTo: end, inclusive: false) } else { try writeAll() }
        let open = clip!
        clip = nil
        try open.muxer.finish()
        try ClipFiles.finalize(partial: open.partialPath, final: open.finalPath, container: settings.container)
        let digest = try ClipFiles.digest(path: open.finalPath)
        return FinishedClip(
            path: open.finalPath, requestedStartSeconds: open.requested.seconds, actualStartSeconds: open.start.seconds,
            endSeconds: end?.seconds, bytes: digest.bytes, sha256: digest.sha256, droppedStreams: open.dropped)
    }

    private func write(upTo limit: MediaTime, inclusive: Bool) throws {
        guard var open = clip else { return }
        func before(_ t: MediaTime) -> Bool { inclusive ? !(limit < t) : t < limit }
        // The last video packet shown before the limit; everything read before it goes in.
        var last: Int?
        var i = buffer.endIndex - 1
        while i >= open.cursor {
            let p = buffer[i]
            if buffer.isVideo(p), let t = p.info.pts ?? p.info.dts, before(t) { last = i; break }
            i -= 1
        }
        if let last {
            for index in open.cursor...last { try emit(index, in: &open) }
            open.cursor = last + 1
        }
        // Audio up to the limit that was read after that video packet.
        if !inclusive {
            for index in open.cursor..<buffer.endIndex where !buffer.isVideo(buffer[index]) {
                if let t = buffer[index].info.pts, before(t) { try emit(index, in: &open) }
            }
            open.cursor = buffer.endIndex
        }
        clip = open
    }

    private func writeAll() throws {
        guard var open = clip else { return }
        for index in open.cursor..<buffer.endIndex { try emit(index, in: &open) }
        open.cursor = buffer.endIndex
        clip = open
    }

    private func emit(_ index: Int, in open: inout OpenClip) throws {
        let packet = buffer[index]
        let input = packet.info.streamIndex
        guard let output = open.outputs[input], let offset = open.offsets[input] else { return }
        if !buffer.isVideo(packet), let pts = packet.info.pts, pts < open.start { return }  // audio before the first frame
        guard buffer.isVideo(packet) else {
            try open.muxer.write(packet, toStream: output, offset: offset)
            return
        }
        let repaired = repairedTimestamps(at: index, lastDTS: open.lastVideoDTS, repairingDTS: open.repairingDTS)
        open.repairingDTS = repaired != nil && packet.info.dts == nil
        if let dts = repaired?.dts ?? packet.info.dts?.ticks { open.lastVideoDTS = dts }
        try open.muxer.write(packet, toStream: output, offset: offset, timestamps: repaired)
    }

    /// Timestamps for a video packet the source left without a pts, which the muxer cannot place (FFmpeg's RTSP
    /// input gives the first keyframe of a session neither pts nor dts): one frame before the earliest timestamp
    /// of the packets that follow. While `repairingDTS`, a missing dts is made up too: half a frame after the
    /// last one (before the next frame's, and distinct after the muxer rescales). Otherwise a missing dts is
    /// left to the muxer, which derives it from the pts order. Nil when nothing needs making up.
    private func repairedTimestamps(at index: Int, lastDTS: Int64?, repairingDTS: Bool) -> (pts: Int64, dts: Int64)? {
        let info = buffer[index].info
        let step = max(1, videoFrameTicks / 2)
        if let pts = info.pts?.ticks {
            guard info.dts == nil, repairingDTS, let lastDTS else { return nil }
            let dts = lastDTS + step
            return (max(pts, dts), dts)
        }
        if let dts = info.dts?.ticks { return (dts, dts) }
        guard let next = nextVideoTimestamp(after: index) else { return nil }
        var pts = next - max(1, info.duration > 0 ? info.duration : videoFrameTicks)
        if let lastDTS { pts = max(pts, lastDTS + step) }
        return (pts, pts)
    }

    /// The earliest timestamp (dts, else pts) among the next few video packets buffered after running index
    /// `index` (several, because with B-frames the packet right after a keyframe is shown later than the next ones).
    private func nextVideoTimestamp(after index: Int) -> Int64? {
        var earliest: Int64?
        var seen = 0
        for i in (index + 1)..<buffer.endIndex where buffer.isVideo(buffer[i]) && seen < 16 {
            seen += 1
            if let t = buffer[i].info.dts?.ticks ?? buffer[i].info.pts?.ticks { earliest = min(earliest ?? t, t) }
        }
        return earliest
    }

    /// One frame in the video time base (from the stream's frame rate), for packets without a duration.
    private var videoFrameTicks: Int64 {
        let fps = videoStream.realFrameRate.doubleValue
        guard fps > 0 else { return 1 }
        return max(1, Int64((1 / fps / videoStream.timeBase.doubleValue).rounded()))
    }
}

@available(*, unavailable)
extension ClipRecorder: Sendable {}
