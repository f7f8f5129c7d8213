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
        let start = key.pts ?? key.dts ?? requested
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
            for index in open.cursor...last { try emit(buffer[index], in: &open) }
            open.cursor = last + 1
        }
        // Audio up to the limit that was read after that video packet.
        if !inclusive {
            for index in open.cursor..<buffer.endIndex where !buffer.isVideo(buffer[index]) {
                if let t = buffer[index].info.pts, before(t) { try emit(buffer[index], in: &open) }
            }
            open.cursor = buffer.endIndex
        }
        clip = open
    }

    private func writeAll() throws {
        guard var open = clip else { return }
        for index in open.cursor..<buffer.endIndex { try emit(buffer[index], in: &open) }
        open.cursor = buffer.endIndex
        clip = open
    }

    private func emit(_ packet: RetainedPacket, in open: inout OpenClip) throws {
        let input = packet.info.streamIndex
        guard let output = open.outputs[input], let offset = open.offsets[input] else { return }
        if !buffer.isVideo(packet), let pts = packet.info.pts, pts < open.start { return }  // audio before the first frame
        try open.muxer.write(packet, toStream: output, offset: offset)
    }
}

@available(*, unavailable)
extension ClipRecorder: Sendable {}
