internal import CSeccamFFmpeg

/// A reusable compressed packet: the demuxer reads into it, the decoder and clip writer read from it.
/// Move-only, so exactly one owner frees it. The corresponding C functions are `av_packet_alloc`,
/// `av_packet_unref` and `av_packet_free`.
public struct Packet: ~Copyable {
    let raw: UnsafeMutablePointer<AVPacket>

    public init() throws(MediaError) {
        guard let p = av_packet_alloc() else {
            throw MediaError(code: .outOfMemory, operation: "allocating a packet", call: "av_packet_alloc")
        }
        raw = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = raw
        av_packet_free(&p)
    }

    /// Drops the data reference so the packet can be reused.
    public mutating func reset() { av_packet_unref(raw) }

    /// The index of the stream this packet belongs to.
    public var streamIndex: Int { Int(raw.pointee.stream_index) }
    /// Whether the packet starts a keyframe (random access point).
    public var isKeyframe: Bool { cseccam_packet_is_key(raw) != 0 }
    /// Payload size in bytes.
    public var size: Int { Int(raw.pointee.size) }
    /// Byte offset of the payload in the input file, when the demuxer knows it.
    public var bytePosition: Int64? { raw.pointee.pos >= 0 ? raw.pointee.pos : nil }
    /// Whether the demuxer flagged the payload as damaged or cut short.
    public var isCorrupt: Bool { cseccam_packet_is_corrupt(raw) != 0 }

    /// A value snapshot of the packet's timing and flags, with times in `timeBase` (the stream's).
    public func info(timeBase: TimeBase) -> PacketInfo {
        PacketInfo(
            streamIndex: streamIndex,
            pts: .from(raw.pointee.pts, timeBase), dts: .from(raw.pointee.dts, timeBase),
            duration: raw.pointee.duration, isKeyframe: isKeyframe,
            isCorrupt: cseccam_packet_is_corrupt(raw) != 0, size: size)
    }
}

/// Timing and flags of one packet, copied out of FFmpeg.
public struct PacketInfo: Sendable, Hashable {
    public var streamIndex: Int
    /// Presentation time; nil when the container does not say.
    public var pts: MediaTime?
    /// Decode time; nil when the container does not say.
    public var dts: MediaTime?
    /// Duration in the stream's time base (0 if unknown).
    public var duration: Int64
    public var isKeyframe: Bool
    public var isCorrupt: Bool
    public var size: Int
}

/// A packet kept for later (pre-roll buffers): shares the payload with the packet it was made from by
/// reference counting, no copy. Immutable. The corresponding C function is `av_packet_ref`.
public final class RetainedPacket: @unchecked Sendable {
    let raw: UnsafeMutablePointer<AVPacket>
    /// Timing and flags of the retained packet.
    public let info: PacketInfo

    /// References the payload of `packet`, whose times are in `timeBase`.
    public init(referencing packet: borrowing Packet, timeBase: TimeBase) throws(MediaError) {
        guard let p = av_packet_alloc() else {
            throw MediaError(code: .outOfMemory, operation: "retaining a packet", call: "av_packet_alloc")
        }
        let ret = av_packet_ref(p, packet.raw)
        if ret < 0 {
            var doomed: UnsafeMutablePointer<AVPacket>? = p
            av_packet_free(&doomed)
            throw MediaError(averror: ret, call: "av_packet_ref", operation: "retaining a packet")
        }
        raw = p
        info = packet.info(timeBase: timeBase)
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = raw
        av_packet_free(&p)
    }
}
