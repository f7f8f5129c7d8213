import Foundation
internal import CSeccamFFmpeg

/// Owns an output file being written by stream copy (`AVFormatContext` for output): streams copied from
/// an input, header, packets, trailer. ``finish()`` is explicit and throwing; releasing a muxer that was
/// not finished closes the file as it is (the caller decides whether to keep it).
/// The corresponding C functions are `avformat_alloc_output_context2`, `avformat_write_header`,
/// `av_interleaved_write_frame`, `av_write_trailer` and `avformat_free_context`.
public final class Muxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    /// The file being written.
    public let path: String
    private var headerWritten = false
    private var finished = false
    /// Per output stream: the input stream's time base, and the output stream's (read after the header).
    private var inputTimeBases: [TimeBase] = []
    private var scratch: UnsafeMutablePointer<AVPacket>?

    /// Creates `path` for writing in container `format` (`mp4`, `matroska`, …; the file name's extension is
    /// not consulted, so temporary names work).
    public init(path: String, format: String) throws(MediaError) {
        try FFmpegLibrary.initialize()
        let operation = "creating \(format) output \(path)"
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        try ffCheck(avformat_alloc_output_context2(&ctx, nil, format, path), "avformat_alloc_output_context2", operation)
        guard let ctx else { throw MediaError(code: .outOfMemory, operation: operation, call: "avformat_alloc_output_context2") }
        if (ctx.pointee.oformat.pointee.flags & AVFMT_NOFILE) == 0 {
            let ret = avio_open(&ctx.pointee.pb, path, AVIO_FLAG_WRITE)
            if ret < 0 {
                avformat_free_context(ctx)
                throw MediaError(averror: ret, call: "avio_open", operation: operation)
            }
        }
        guard let packet = av_packet_alloc() else {
            avio_closep(&ctx.pointee.pb)
            avformat_free_context(ctx)
            throw MediaError(code: .outOfMemory, operation: operation, call: "av_packet_alloc")
        }
        context = ctx
        scratch = packet
        self.path = path
    }

    deinit {
        av_packet_free(&scratch)
        if let ctx = context {
            if (ctx.pointee.oformat.pointee.flags & AVFMT_NOFILE) == 0 { avio_closep(&ctx.pointee.pb) }
            avformat_free_context(ctx)
        }
    }

    /// Whether this container can hold `codecName` streams (for example MP2 audio in MP4).
    public func canHold(_ stream: StreamInfo) -> Bool {
        guard let ctx = context else { return false }
        return avformat_query_codec(ctx.pointee.oformat, AVCodecID(rawValue: stream.codecID), FF_COMPLIANCE_NORMAL) == 1
    }

    /// Adds an output stream with the codec parameters of stream `index` of `demuxer` (stream copy).
    /// - Returns: the output stream index.
    public func addStream(copying index: Int, of demuxer: Demuxer) throws(MediaError) -> Int {
        let operation = "adding a stream to \(path)"
        guard let ctx = context, let parameters = demuxer.codecParameters(index) else {
            throw MediaError(code: .streamNotFound, operation: operation, reason: "no input stream \(index)")
        }
        guard let stream = avformat_new_stream(ctx, nil) else {
            throw MediaError(code: .outOfMemory, operation: operation, call: "avformat_new_stream")
        }
        try ffCheck(avcodec_parameters_copy(stream.pointee.codecpar, parameters), "avcodec_parameters_copy", operation)
        stream.pointee.codecpar.pointee.codec_tag = 0  // let the muxer pick a tag valid in this container
        if let matrix = demuxer.displayMatrix(index) {
            // Keep the display rotation, so a clip of a turned (phone) video plays the right way up.
            let size = 9 * MemoryLayout<Int32>.size
            guard let copy = av_stream_new_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, size) else {
                throw MediaError(code: .outOfMemory, operation: operation, call: "av_stream_new_side_data")
            }
            copy.update(from: matrix, count: size)
        }
        let info = demuxer.stream(index)
        stream.pointee.time_base = info.timeBase.rational
        inputTimeBases.append(info.timeBase)
        return Int(stream.pointee.index)
    }

    /// Whether the container wants codec headers out of band (`AVFMT_GLOBALHEADER`, MP4 and Matroska do);
    /// an encoder feeding this muxer must then be opened with `AV_CODEC_FLAG_GLOBAL_HEADER`.
    var wantsGlobalHeader: Bool {
        guard let ctx = context else { return false }
        return (ctx.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0
    }

    /// Adds an output stream for the packets of an opened encoder (`avcodec_parameters_from_context`); its
    /// packets' timestamps are in the encoder's time base.
    /// - Returns: the output stream index.
    func addStream(encoder: UnsafeMutablePointer<AVCodecContext>) throws(MediaError) -> Int {
        let operation = "adding an encoded stream to \(path)"
        guard let ctx = context, let stream = avformat_new_stream(ctx, nil) else {
            throw MediaError(code: .outOfMemory, operation: operation, call: "avformat_new_stream")
        }
        try ffCheck(avcodec_parameters_from_context(stream.pointee.codecpar, encoder), "avcodec_parameters_from_context", operation)
        stream.pointee.time_base = encoder.pointee.time_base
        stream.pointee.avg_frame_rate = encoder.pointee.framerate
        inputTimeBases.append(TimeBase(encoder.pointee.time_base))
        return Int(stream.pointee.index)
    }

    /// Writes an encoder's output packet (timestamps in the encoder's time base) to output stream `stream`.
    func write(encoded packet: UnsafeMutablePointer<AVPacket>, toStream stream: Int) throws(MediaError) {
        try write(packet, toStream: stream, offset: 0)
    }

    /// Writes the container header with muxer options (for MP4: `movflags`).
    public func writeHeader(options: [String: String] = [:]) throws(MediaError) {
        var dict: OpaquePointer?
        defer { av_dict_free(&dict) }
        for (key, value) in options { av_dict_set(&dict, key, value, 0) }
        try ffCheck(avformat_write_header(context, &dict), "avformat_write_header", "writing the header of \(path)")
        headerWritten = true
    }

    /// Writes a copy of `packet` to output stream `stream`, its timestamps shifted back by `offset`
    /// (in the input stream's time base) and rescaled to the output time base.
    /// - Parameter timestamps: replaces the packet's own pts and dts (input time base, before `offset`), for
    ///   packets the source left without them.
    public func write(_ packet: RetainedPacket, toStream stream: Int, offset: Int64,
                      timestamps: (pts: Int64, dts: Int64)? = nil) throws(MediaError) {
        try write(packet.raw, toStream: stream, offset: offset, timestamps: timestamps)
    }

    /// ``write(_:toStream:offset:)`` for a packet just read (a plain remux).
    public func write(_ packet: borrowing Packet, toStream stream: Int, offset: Int64) throws(MediaError) {
        try write(packet.raw, toStream: stream, offset: offset)
    }

    private func write(_ source: UnsafeMutablePointer<AVPacket>, toStream stream: Int, offset: Int64,
                       timestamps: (pts: Int64, dts: Int64)? = nil) throws(MediaError) {
        guard let ctx = context, let scratch else { return }
        precondition(headerWritten && !finished, "Muxer.write before writeHeader or after finish")
        let operation = "writing a packet to \(path)"
        try ffCheck(av_packet_ref(scratch, source), "av_packet_ref", operation)
        if let timestamps {
            scratch.pointee.pts = timestamps.pts
            scratch.pointee.dts = timestamps.dts
        }
        if scratch.pointee.pts != cseccam_nopts_value() { scratch.pointee.pts -= offset }
        if scratch.pointee.dts != cseccam_nopts_value() { scratch.pointee.dts -= offset }
        scratch.pointee.stream_index = Int32(stream)
        scratch.pointee.pos = -1
        let outTimeBase = ctx.pointee.streams[stream]!.pointee.time_base
        av_packet_rescale_ts(scratch, inputTimeBases[stream].rational, outTimeBase)
        // av_interleaved_write_frame takes the reference and blanks the packet, even on failure.
        try ffCheck(av_interleaved_write_frame(ctx, scratch), "av_interleaved_write_frame", operation)
    }

    /// Flushes interleaving queues and writes the trailer (the MP4 index), then closes the file.
    public func finish() throws(MediaError) {
        guard let ctx = context, headerWritten, !finished else { return }
        finished = true
        try ffCheck(av_write_trailer(ctx), "av_write_trailer", "finishing \(path)")
        if (ctx.pointee.oformat.pointee.flags & AVFMT_NOFILE) == 0 {
            try ffCheck(avio_closep(&ctx.pointee.pb), "avio_closep", "closing \(path)")
        }
    }
}

@available(*, unavailable)
extension Muxer: Sendable {}
