internal import CSeccamFFmpeg

/// What kind of data a stream carries.
public enum MediaType: String, Sendable, Codable {
    case video, audio, subtitle, data, other
}

/// A value snapshot of one stream of an input, copied out of FFmpeg at open time.
public struct StreamInfo: Sendable, Hashable {
    public var index: Int
    public var mediaType: MediaType
    /// FFmpeg's numeric codec id (`AVCodecID`), for container compatibility checks.
    public var codecID: UInt32
    /// Codec short name (`h264`, `hevc`, `aac`, `mjpeg`, …).
    public var codecName: String
    /// Codec profile (`Main`, `High`, …) when known.
    public var profile: String?
    public var timeBase: TimeBase
    /// Video: coded width and height.
    public var width: Int
    public var height: Int
    /// The turn its display matrix asks for (video); `width` and `height` are the decoded, unturned size.
    public var rotation: DisplayRotation
    /// Video: pixel format name as declared by the container/codec parameters.
    public var pixelFormat: String?
    /// Video: `r_frame_rate` (the lowest rate that represents all timestamps).
    public var realFrameRate: TimeBase
    /// Video: `avg_frame_rate` (what dvr-scan uses as fps).
    public var averageFrameRate: TimeBase
    /// Frame count from the container header, nil when it does not say.
    public var frameCount: Int?
    public var startTime: MediaTime?
    public var duration: MediaTime?
    /// Audio: sample rate and channel count.
    public var sampleRate: Int
    public var channels: Int
    public var bitRate: Int64

    /// The frame rate dvr-scan (OpenCV) reports: avg_frame_rate, falling back to r_frame_rate, then 1/time base.
    public var framesPerSecond: Double {
        if averageFrameRate.doubleValue > 0 { return averageFrameRate.doubleValue }
        if realFrameRate.doubleValue > 0 { return realFrameRate.doubleValue }
        return timeBase.doubleValue > 0 ? 1 / timeBase.doubleValue : 0
    }

    init(_ stream: UnsafeMutablePointer<AVStream>) {
        let par = stream.pointee.codecpar.pointee
        index = Int(stream.pointee.index)
        switch par.codec_type {
        case AVMEDIA_TYPE_VIDEO: mediaType = .video
        case AVMEDIA_TYPE_AUDIO: mediaType = .audio
        case AVMEDIA_TYPE_SUBTITLE: mediaType = .subtitle
        case AVMEDIA_TYPE_DATA: mediaType = .data
        default: mediaType = .other
        }
        codecID = par.codec_id.rawValue
        codecName = avcodec_get_name(par.codec_id).map { String(cString: $0) } ?? "unknown"
        profile = avcodec_profile_name(par.codec_id, par.profile).map { String(cString: $0) }
        timeBase = TimeBase(stream.pointee.time_base)
        width = Int(par.width)
        height = Int(par.height)
        rotation = mediaType == .video ? DisplayRotation(stream: stream) : .none
        pixelFormat = mediaType == .video ? PixelFormat(rawValue: par.format).name : nil
        realFrameRate = TimeBase(stream.pointee.r_frame_rate)
        averageFrameRate = TimeBase(stream.pointee.avg_frame_rate)
        frameCount = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        startTime = .from(stream.pointee.start_time, timeBase)
        duration = .from(stream.pointee.duration, timeBase)
        sampleRate = Int(par.sample_rate)
        channels = Int(par.ch_layout.nb_channels)
        bitRate = par.bit_rate
    }
}
