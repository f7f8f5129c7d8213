import SeccamMedia

/// The recent compressed packets of an input (video and the audio a clip carries), held by reference
/// (no copies of packet data), so a clip can start at a keyframe before the moment motion was seen.
///
/// Packets are addressed by a running index that survives trimming. The buffer always keeps the latest
/// video keyframe at or before `newest − retention`, so a pre-roll of `retention` is always available;
/// it is also bounded in bytes (the oldest whole GOPs go first, and the achieved pre-roll shrinks).
public final class PacketBuffer {
    /// How far back (in seconds of video) a clip may need to start.
    public let retentionSeconds: Double
    /// Upper bound on buffered payload bytes.
    public let maxBytes: Int
    private let videoStream: Int
    private var packets: [RetainedPacket] = []
    /// Running index of `packets[0]`.
    public private(set) var firstIndex = 0
    /// Buffered payload bytes, and the most ever held (for benchmarks).
    public private(set) var bytes = 0
    public private(set) var peakBytes = 0
    private var newestVideo: MediaTime?

    public init(videoStream: Int, retentionSeconds: Double, maxBytes: Int = 256 << 20) {
        self.videoStream = videoStream
        self.retentionSeconds = retentionSeconds
        self.maxBytes = maxBytes
    }

    /// One past the newest packet's index.
    public var endIndex: Int { firstIndex + packets.count }

    /// The packet at running index `index` (must be in `firstIndex..<endIndex`).
    public subscript(index: Int) -> RetainedPacket { packets[index - firstIndex] }

    /// Whether the packet is a video packet (of the stream clips are cut from).
    public func isVideo(_ packet: RetainedPacket) -> Bool { packet.info.streamIndex == videoStream }

    /// Whether a clip can start at this packet: a video keyframe with a real picture. AVI files mark their
    /// placeholder "drop frames" (a byte or two, no picture) as keyframes; a clip cannot start there.
    public func isClipStart(_ packet: RetainedPacket) -> Bool {
        isVideo(packet) && packet.info.isKeyframe && packet.info.size > Self.placeholderSize
    }

    private static let placeholderSize = 16

    /// Adds a packet and drops what is no longer needed, never anything at or after `protectedIndex`
    /// (the next packet an open clip still has to write).
    public func append(_ packet: RetainedPacket, protecting protectedIndex: Int? = nil) {
        packets.append(packet)
        bytes += packet.info.size
        peakBytes = max(peakBytes, bytes)
        if isVideo(packet), let time = packet.info.pts ?? packet.info.dts, newestVideo.map({ $0 < time }) ?? true {
            newestVideo = time
        }
        trim(protecting: protectedIndex)
    }

    /// Index of the latest video keyframe whose time is at or before `time`, if one is held.
    public func latestKeyframe(atOrBefore time: MediaTime) -> Int? {
        var i = packets.count - 1
        while i >= 0 {
            let p = packets[i]
            if isClipStart(p), let t = p.info.pts ?? p.info.dts, !(time < t) { return firstIndex + i }
            i -= 1
        }
        return nil
    }

    /// Index of the oldest video keyframe held.
    public func oldestKeyframe() -> Int? {
        packets.firstIndex { isClipStart($0) }.map { $0 + firstIndex }
    }

    private func trim(protecting protectedIndex: Int?) {
        guard let newest = newestVideo else { return }
        let limit = MediaTime(ticks: newest.ticks - Int64((retentionSeconds / newest.timeBase.doubleValue).rounded(.up)),
                              timeBase: newest.timeBase)
        // Dropping everything before keyframe i keeps i as the oldest possible clip start.
        var cut = 0, cutBytes = 0, before = 0
        for i in packets.indices.dropFirst() {
            before += packets[i - 1].info.size
            let p = packets[i]
            guard isClipStart(p), let t = p.info.pts ?? p.info.dts else { continue }
            if let protectedIndex, firstIndex + i > protectedIndex { break }
            guard !(limit < t) || bytes - cutBytes > maxBytes else { break }
            cut = i
            cutBytes = before
        }
        guard cut > 0 else { return }
        bytes -= cutBytes
        packets.removeFirst(cut)
        firstIndex += cut
    }
}
