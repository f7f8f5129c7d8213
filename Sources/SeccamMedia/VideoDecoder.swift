internal import CSeccamFFmpeg

/// One step of the decoder's output side (`avcodec_receive_frame`): EAGAIN and EOF are states, not errors.
public enum DecodeStep: Sendable, Equatable {
    /// A picture was written into the frame.
    case frame
    /// The decoder needs another packet before it can output a picture.
    case needsInput
    /// End of stream was signalled and every buffered picture has come out.
    case drained
}

/// Owns a video decoder (`AVCodecContext`) with frame threading; implements the send/receive contract of
/// `avcodec.h` (group `lavc_encdec`). Corrupt packets are counted in ``decodeErrors`` and skipped, as
/// FFmpeg's own tools do, so a damaged frame never stops a scan.
/// The corresponding C functions are `avcodec_send_packet`, `avcodec_receive_frame` and `avcodec_free_context`.
public final class VideoDecoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?
    /// The time base of the frames' timestamps (the stream's).
    public let timeBase: TimeBase
    /// The decoder's name (`h264`, `hevc`, `mjpeg`, …).
    public let name: String
    /// Packets or frames the decoder rejected as invalid so far.
    public private(set) var decodeErrors = 0
    private let sourceName: String
    private var endSent = false

    init(parameters: UnsafeMutablePointer<AVCodecParameters>, timeBase: TimeBase, threads: Int, sourceName: String)
        throws(MediaError)
    {
        let operation = "opening the video decoder for \(sourceName)"
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let codecName = avcodec_get_name(parameters.pointee.codec_id).map { String(cString: $0) } ?? "?"
            throw MediaError(code: .decoderNotFound, operation: operation, call: "avcodec_find_decoder",
                             reason: "no decoder for codec '\(codecName)' in this FFmpeg build")
        }
        var ctx = avcodec_alloc_context3(codec)
        guard ctx != nil else {
            throw MediaError(code: .outOfMemory, operation: operation, call: "avcodec_alloc_context3")
        }
        do {
            try ffCheck(avcodec_parameters_to_context(ctx, parameters), "avcodec_parameters_to_context", operation)
            ctx!.pointee.pkt_timebase = timeBase.rational
            ctx!.pointee.thread_count = Int32(threads)
            ctx!.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
            try ffCheck(avcodec_open2(ctx, codec, nil), "avcodec_open2", operation)
        } catch {
            avcodec_free_context(&ctx)
            throw error
        }
        self.context = ctx
        self.timeBase = timeBase
        self.name = String(cString: codec.pointee.name)
        self.sourceName = sourceName
    }

    deinit {
        avcodec_free_context(&context)
    }

    /// Feeds one compressed packet. Call only after ``receive(into:)`` returned `.needsInput`.
    /// Invalid data is counted and skipped rather than thrown.
    public func send(_ packet: borrowing Packet) throws(MediaError) {
        let ret = avcodec_send_packet(context, packet.raw)
        if ret == cseccam_averror_invaliddata() { decodeErrors += 1; return }
        try ffCheck(ret, "avcodec_send_packet", "decoding video of \(sourceName)")
    }

    /// Signals end of input so the decoder releases its buffered pictures (drain). Idempotent.
    public func sendEndOfStream() throws(MediaError) {
        guard !endSent else { return }
        endSent = true
        try ffCheck(avcodec_send_packet(context, nil), "avcodec_send_packet", "draining the decoder of \(sourceName)")
    }

    /// Takes the next decoded picture, if any, into `frame` (its previous picture is released first).
    public func receive(into frame: inout Frame) throws(MediaError) -> DecodeStep {
        while true {
            frame.reset()
            let ret = avcodec_receive_frame(context, frame.raw)
            if ret >= 0 { return .frame }
            if ret == cseccam_averror_eagain() { return .needsInput }
            if ret == cseccam_averror_eof() { return .drained }
            if ret == cseccam_averror_invaliddata() { decodeErrors += 1; continue }
            try ffCheck(ret, "avcodec_receive_frame", "decoding video of \(sourceName)")
        }
    }

    /// Forgets buffered state after a discontinuity (a reconnect), so decoding restarts cleanly.
    public func flush() {
        avcodec_flush_buffers(context)
        endSent = false
    }
}

@available(*, unavailable)
extension VideoDecoder: Sendable {}
