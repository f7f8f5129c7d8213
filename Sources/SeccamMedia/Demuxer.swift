import Foundation
internal import CSeccamFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// How to open a source.
public struct DemuxerOptions: Sendable {
    /// Bound on opening (connect, handshake, stream probing) and on each later read.
    public var timeout: Duration? = .seconds(10)
    /// RTSP transport: `tcp` (default, survives lossy networks) or `udp`.
    public var rtspTransport: String = "tcp"
    /// Force an input format (`v4l2`, `mjpeg`, …); nil lets FFmpeg detect it. `/dev/video*` implies `v4l2`.
    public var inputFormat: String?
    /// Extra demuxer/protocol options passed to `avformat_open_input` (for example `video_size` for v4l2).
    public var formatOptions: [String: String] = [:]

    public init() {}
}

/// Result of reading one packet: a packet, or the normal end of the input (a state, not an error).
public enum ReadResult: Sendable, Equatable {
    case packet
    case endOfStream
}

/// Owns an opened input (`AVFormatContext`): streams, and reading compressed packets one at a time.
/// Blocking; not thread-safe; cancel from another thread through ``interrupt``.
/// The corresponding C functions are `avformat_open_input`, `av_read_frame` and `avformat_close_input`.
public final class Demuxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    /// The source, whose ``SourceURL/redacted`` form appears in errors.
    public let source: SourceURL
    /// All streams of the input.
    public let streams: [StreamInfo]
    /// The index of the best video stream (`av_find_best_stream`), nil when there is no video.
    public let videoStreamIndex: Int?
    /// Cancels blocking calls on this input from any thread.
    public let interrupt: InterruptFlag
    private let timeout: Duration?
    /// End time (seconds) of the last video packet read, for the truncation check.
    private var lastVideoPacketEnd: Double?
    /// Set when a read returned a packet although its deadline had passed: FFmpeg hands out what its parser
    /// held when a read is interrupted, and the stall is reported by the next read instead of a second wait.
    private var stallPending = false
    /// Options the demuxer did not recognise (reported so a typo in a camera option is visible).
    public let unusedOptions: [String]

    /// Opens `source` and reads its stream parameters.
    /// - Throws: ``MediaError`` with `notFound`, `permissionDenied`, `timedOut`, `network`, `invalidData`,
    ///   `unsupported` (unknown scheme or format), `cancelled`.
    @available(*, noasync, message: "blocks; call from a pipeline thread")
    public init(source: SourceURL, options: DemuxerOptions = DemuxerOptions(), interrupt: InterruptFlag = InterruptFlag())
        throws(MediaError)
    {
        try FFmpegLibrary.initialize()
        self.source = source
        self.interrupt = interrupt
        self.timeout = options.timeout
        let operation = "opening input \(source.redacted)"

        if let problem = Self.localFileProblem(source) {
            throw MediaError(code: problem.code, operation: operation, reason: problem.reason)
        }
        guard let ctx = avformat_alloc_context() else {
            throw MediaError(code: .outOfMemory, operation: operation, call: "avformat_alloc_context")
        }
        ctx.pointee.interrupt_callback = interrupt.callback

        var dict: OpaquePointer?
        defer { av_dict_free(&dict) }
        if source.scheme == "rtsp" || source.scheme == "rtsps" {
            av_dict_set(&dict, "rtsp_transport", options.rtspTransport, 0)
        }
        for (key, value) in options.formatOptions.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&dict, key, value, 0)
        }
        var inputFormat: UnsafePointer<AVInputFormat>?
        if let name = options.inputFormat ?? (source.isVideoDevice ? "v4l2" : nil) {
            var found = av_find_input_format(name)
            if found == nil {
                // Device inputs (v4l2, …) come with libavdevice, which is loaded only now.
                do { try CaptureDevices.register() } catch {
                    avformat_free_context(ctx)
                    throw error
                }
                found = av_find_input_format(name)
            }
            guard let format = found else {
                avformat_free_context(ctx)
                throw MediaError(code: .unsupported, operation: operation, call: "av_find_input_format",
                                 reason: "no input format named '\(name)' in this FFmpeg build")
            }
            inputFormat = format
        }

        var opened: UnsafeMutablePointer<AVFormatContext>? = ctx
        interrupt.arm(timeout: options.timeout)
        let ret = avformat_open_input(&opened, source.full, inputFormat, &dict)
        guard ret >= 0, let opened else {
            // avformat_open_input frees the context on failure.
            throw MediaError(code: interrupt.code(for: ret), operation: operation, call: "avformat_open_input",
                             averror: ret, reason: averrorText(ret))
        }
        var unused: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>?
        while let next = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX) {
            unused.append(String(cString: next.pointee.key))
            entry = next
        }
        unusedOptions = unused

        interrupt.arm(timeout: options.timeout)
        let info = avformat_find_stream_info(opened, nil)
        if info < 0 {
            var doomed: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&doomed)
            throw MediaError(code: interrupt.code(for: info), operation: "reading stream parameters of \(source.redacted)",
                             call: "avformat_find_stream_info", averror: info, reason: averrorText(info))
        }
        interrupt.arm(timeout: nil)
        streams = (0..<Int(opened.pointee.nb_streams)).compactMap { i in
            opened.pointee.streams[i].map(StreamInfo.init)
        }
        let best = av_find_best_stream(opened, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        videoStreamIndex = best >= 0 ? Int(best) : nil
        context = opened
    }

    deinit {
        // Closing a network input talks to the server (RTSP TEARDOWN); bound it so a frozen server cannot hold
        // the camera's thread.
        interrupt.arm(timeout: .seconds(1))
        avformat_close_input(&context)
    }

    /// The container format's short name (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, `rtsp`, …).
    public var formatName: String { context?.pointee.iformat.pointee.name.map { String(cString: $0) } ?? "" }
    /// The container format's descriptive name.
    public var formatLongName: String {
        context?.pointee.iformat.pointee.long_name.map { String(cString: $0) } ?? ""
    }
    /// Container duration in seconds, nil when unknown (live streams).
    public var durationSeconds: Double? {
        guard let d = context?.pointee.duration, d != cseccam_nopts_value(), d > 0 else { return nil }
        return Double(d) / Double(AV_TIME_BASE)
    }
    /// Container bit rate in bits/s (0 when unknown).
    public var bitRate: Int64 { context?.pointee.bit_rate ?? 0 }

    /// Borrowed codec parameters of stream `index`, for a muxer copying the stream.
    func codecParameters(_ index: Int) -> UnsafeMutablePointer<AVCodecParameters>? {
        guard let context, index >= 0, index < Int(context.pointee.nb_streams) else { return nil }
        return context.pointee.streams[index]?.pointee.codecpar
    }

    /// Borrowed display matrix (9 × Int32) of stream `index`, when it has one, for a muxer copying the stream.
    func displayMatrix(_ index: Int) -> UnsafePointer<UInt8>? {
        guard let context, index >= 0, index < Int(context.pointee.nb_streams), let stream = context.pointee.streams[index] else { return nil }
        return av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nil).map { UnsafePointer($0) }
    }

    /// The stream a packet or decoder refers to.
    public func stream(_ index: Int) -> StreamInfo { streams[index] }

    /// Reads the next packet of any stream into `packet` (its previous contents are released first).
    /// - Returns: `.packet`, or `.endOfStream` at the normal end of the input.
    /// - Throws: ``MediaError``: `timedOut` when no packet came within the timeout (a stalled camera),
    ///   `cancelled`, `network`, `invalidData` (damaged or truncated input).
    @available(*, noasync, message: "blocks; call from a pipeline thread")
    public func read(into packet: inout Packet) throws(MediaError) -> ReadResult {
        packet.reset()
        if stallPending {
            throw MediaError(code: .timedOut, operation: "reading packets from \(source.redacted)", call: "av_read_frame",
                             reason: "no packet within the read timeout")
        }
        interrupt.arm(timeout: timeout)
        let ret = av_read_frame(context, packet.raw)
        // Decide cancelled/timed out before the deadline is disarmed.
        let interruptCode: MediaError.Code? = interrupt.shouldInterrupt ? (interrupt.isCancelled ? .cancelled : .timedOut) : nil
        interrupt.arm(timeout: nil)
        if ret == cseccam_averror_eof() {
            // Some demuxers report an interrupted wait as the end of the stream.
            guard let interruptCode else { return .endOfStream }
            throw MediaError(code: interruptCode, operation: "reading packets from \(source.redacted)", call: "av_read_frame",
                             averror: ret, reason: interruptCode == .cancelled ? "cancelled" : "no packet within the read timeout")
        }
        if ret >= 0, let video = videoStreamIndex, packet.streamIndex == video {
            let info = packet.info(timeBase: streams[video].timeBase)
            if let pts = info.pts ?? info.dts {
                let end = pts.seconds + Double(info.duration) * pts.timeBase.doubleValue
                lastVideoPacketEnd = max(lastVideoPacketEnd ?? end, end)
            }
        }
        if ret >= 0, interruptCode == .cancelled {
            // An interrupted read can still hand back a packet: the parser's flush of an access unit cut short (an
            // RTSP camera's next frame with only its delimiter: a clip that ended with it failed to decode). The
            // input is being stopped anyway, so the packet is dropped.
            packet.reset()
            throw MediaError(code: .cancelled, operation: "reading packets from \(source.redacted)", call: "av_read_frame",
                             reason: "cancelled")
        }
        if ret >= 0, interruptCode == .timedOut { stallPending = true }
        if ret < 0 {
            throw MediaError(code: interruptCode ?? interrupt.code(for: ret), operation: "reading packets from \(source.redacted)",
                             call: "av_read_frame", averror: ret, reason: averrorText(ret))
        }
        return .packet
    }

    /// After the end of a file: why it looks truncated (its video ends well before the duration its header
    /// declares), or nil when it ended where it said it would. Live sources have no declared duration.
    public var truncationDetail: String? {
        guard let video = videoStreamIndex, let declared = streams[video].duration, let start = streams[video].startTime
        else { return nil }
        let expectedEnd = declared.seconds + start.seconds
        let actualEnd = lastVideoPacketEnd ?? start.seconds
        let missing = expectedEnd - actualEnd
        guard missing > 1.0, missing > 0.05 * declared.seconds else { return nil }
        return String(format: "the video ends at %.2f s but the file header declares %.2f s: the file is truncated or damaged",
                      actualEnd - start.seconds, declared.seconds)
    }

    /// Opens a decoder for stream `index` of this input (frame threads: `threads` 0 = automatic).
    public func makeDecoder(streamIndex index: Int, threads: Int = 0) throws(MediaError) -> VideoDecoder {
        guard let context, index >= 0, index < Int(context.pointee.nb_streams), let stream = context.pointee.streams[index]
        else {
            throw MediaError(code: .streamNotFound, operation: "opening a decoder for \(source.redacted)",
                             reason: "no stream \(index)")
        }
        return try VideoDecoder(parameters: stream.pointee.codecpar, timeBase: TimeBase(stream.pointee.time_base),
                                threads: threads, sourceName: source.redacted)
    }

    /// Checks a plain path before FFmpeg sees it, for errors FFmpeg reports vaguely (a directory).
    private static func localFileProblem(_ source: SourceURL) -> (code: MediaError.Code, reason: String)? {
        guard source.scheme == nil || source.scheme == "file" else { return nil }
        var path = source.full
        if path.hasPrefix("file:") { path = String(path.dropFirst(5)) }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }  // let FFmpeg report ENOENT etc. with its own text
        if (st.st_mode & S_IFMT) == S_IFDIR { return (.invalidArgument, "is a directory, not a video file") }
        return nil
    }
}

@available(*, unavailable)
extension Demuxer: Sendable {}
