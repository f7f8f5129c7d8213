/// What `seccam-engine probe` reports about a source: container, streams, and the keyframe
/// interval seen in the first seconds of video.
public struct ProbeReport: Sendable, Codable {
    public struct Stream: Sendable, Codable {
        public var index: Int
        public var type: MediaType
        public var codec: String
        public var profile: String?
        public var width: Int?
        public var height: Int?
        public var pixelFormat: String?
        /// `r_frame_rate` and `avg_frame_rate` as "num/den".
        public var realFrameRate: String?
        public var averageFrameRate: String?
        public var timeBase: String
        public var frameCount: Int?
        public var durationSeconds: Double?
        public var sampleRate: Int?
        public var channels: Int?
        /// Video with a display matrix: the clockwise turn OpenCV (and so the detector) applies, in degrees.
        public var rotation: Int?
    }

    /// The source with credentials redacted.
    public var source: String
    public var format: String
    public var formatLongName: String
    public var durationSeconds: Double?
    public var bitRate: Int64?
    public var streams: [Stream]
    /// Index of the stream a detector would decode.
    public var videoStream: Int?
    /// Seconds between consecutive video keyframes seen while reading the first ``scannedSeconds``.
    public var keyframeIntervals: [Double]
    /// How much video was read to find keyframes.
    public var scannedSeconds: Double
    /// With `countFrames`: pictures the decoder produced over the whole input, and packets it rejected.
    public var decodedFrames: Int?
    public var decodeErrors: Int?
    /// With `countFrames`: why the input looks truncated, if it does.
    public var truncation: String?

    /// Mean of ``keyframeIntervals``, nil when fewer than two keyframes were seen.
    public var meanKeyframeInterval: Double? {
        keyframeIntervals.isEmpty ? nil : keyframeIntervals.reduce(0, +) / Double(keyframeIntervals.count)
    }
}

extension ProbeReport {
    /// Opens `source`, describes it, and reads up to `keyframeScanSeconds` of video packets (no decoding)
    /// to measure the keyframe interval.
    @available(*, noasync, message: "blocks; call from a pipeline thread")
    public static func probe(
        _ source: SourceURL, options: DemuxerOptions = DemuxerOptions(), keyframeScanSeconds: Double = 10,
        countFrames: Bool = false
    ) throws(MediaError) -> ProbeReport {
        let demuxer = try Demuxer(source: source, options: options)
        var keyTimes: [Double] = []
        var first: Double?
        var last: Double?
        if let video = demuxer.videoStreamIndex {
            let timeBase = demuxer.stream(video).timeBase
            var packet = try Packet()
            while try demuxer.read(into: &packet) == .packet {
                guard packet.streamIndex == video else { continue }
                let info = packet.info(timeBase: timeBase)
                guard let time = (info.pts ?? info.dts)?.seconds else { continue }
                if first == nil { first = time }
                last = time
                if info.isKeyframe { keyTimes.append(time) }
                if time - first! >= keyframeScanSeconds { break }
            }
        }
        let sortedKeys = keyTimes.sorted()
        let intervals = zip(sortedKeys.dropFirst(), sortedKeys).map { $0 - $1 }
        var report = ProbeReport(
            source: source.redacted, format: demuxer.formatName, formatLongName: demuxer.formatLongName,
            durationSeconds: demuxer.durationSeconds, bitRate: demuxer.bitRate > 0 ? demuxer.bitRate : nil,
            streams: demuxer.streams.map(Stream.init), videoStream: demuxer.videoStreamIndex,
            keyframeIntervals: intervals, scannedSeconds: max(0, (last ?? 0) - (first ?? 0)))
        if countFrames {
            let count = try FrameCount.decodeAll(source, options: options)
            report.decodedFrames = count.frames
            report.decodeErrors = count.decodeErrors
            report.truncation = count.truncation
        }
        return report
    }
}

extension ProbeReport.Stream {
    init(_ s: StreamInfo) {
        let isVideo = s.mediaType == .video
        let isAudio = s.mediaType == .audio
        self.init(
            index: s.index, type: s.mediaType, codec: s.codecName, profile: s.profile,
            width: isVideo ? s.width : nil, height: isVideo ? s.height : nil, pixelFormat: s.pixelFormat,
            realFrameRate: isVideo ? s.realFrameRate.description : nil,
            averageFrameRate: isVideo ? s.averageFrameRate.description : nil,
            timeBase: s.timeBase.description, frameCount: s.frameCount,
            durationSeconds: s.duration.map(\.seconds),
            sampleRate: isAudio ? s.sampleRate : nil, channels: isAudio ? s.channels : nil,
            rotation: isVideo && s.rotation != .none ? s.rotation.rawValue : nil)
    }
}
