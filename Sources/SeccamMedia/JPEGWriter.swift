import Glibc
internal import CSeccamFFmpeg

/// Writes pictures as JPEG files with libavcodec's `mjpeg` encoder (in-process): the picture is converted by
/// swscale to full-range `yuvj420p`, an optional ``RectangleOverlay`` is painted into those planes, and the
/// encoded file is written atomically (`NAME.tmp`, fsync, rename).
/// Owns an encoder `AVCodecContext`, a `SwsContext`, a work `AVFrame` and an `AVPacket`; the encoder and the
/// work frame are recreated when the picture size changes. Not thread-safe.
/// The corresponding C functions are `avcodec_alloc_context3`/`avcodec_free_context`, `sws_getCachedContext`/
/// `sws_freeContext`, `av_frame_alloc`/`av_frame_free` and `av_packet_alloc`/`av_packet_free`.
public final class JPEGWriter {
    /// mjpeg quantiser scale (as `ffmpeg -q:v`): 2 is the best practical quality, 31 the worst.
    public let quality: Int
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var scaler: OpaquePointer?
    private var picture: UnsafeMutablePointer<AVFrame>?
    /// The converted picture before its display rotation is applied (turned streams only).
    private var unturned: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var size = (width: 0, height: 0)
    private var framesEncoded: Int64 = 0

    public init(quality: Int = 2) {
        self.quality = min(31, max(2, quality))
    }

    deinit {
        avcodec_free_context(&encoder)
        sws_freeContext(scaler)
        av_frame_free(&picture)
        av_frame_free(&unturned)
        av_packet_free(&packet)
    }

    /// Encodes `snapshot`'s picture, turned by `rotation` (a stream's display rotation) and with `rectangle`
    /// (in turned coordinates) drawn on it, if any, as a JPEG file at `path`.
    /// - Throws: ``MediaError`` naming `path`: `invalidArgument` for an empty snapshot, `unsupported` when
    ///   swscale cannot convert its pixel format, the encoder's failure, or the file system's (`open`, `write`,
    ///   `fsync`, `rename`).
    public func write(_ snapshot: FrameSnapshot, rotation: DisplayRotation = .none, rectangle: RectangleOverlay? = nil,
                      to path: String) throws(MediaError) {
        let operation = "writing JPEG \(path)"
        guard !snapshot.isEmpty, snapshot.width > 0, snapshot.height > 0 else {
            throw MediaError(code: .invalidArgument, operation: operation, reason: "no picture to write")
        }
        try FFmpegLibrary.initialize()
        let shown = rotation.displaySize(width: snapshot.width, height: snapshot.height)
        let (encoder, picture, packet) = try prepare(width: shown.width, height: shown.height, operation: operation)
        scaler = sws_getCachedContext(scaler, Int32(snapshot.width), Int32(snapshot.height), AVPixelFormat(rawValue: snapshot.raw.pointee.format),
                                      Int32(snapshot.width), Int32(snapshot.height), AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, nil, nil, nil)
        guard let scaler else {
            throw MediaError(code: .unsupported, operation: operation, call: "sws_getCachedContext",
                             reason: "swscale cannot convert \(snapshot.pixelFormat.name) to yuvj420p")
        }
        try ffCheck(av_frame_make_writable(picture), "av_frame_make_writable", operation)
        if rotation == .none {
            try ffCheck(sws_scale_frame(scaler, picture, snapshot.raw), "sws_scale_frame", operation)
        } else {
            let source = try unturnedFrame(width: snapshot.width, height: snapshot.height, operation: operation)
            try ffCheck(sws_scale_frame(scaler, source, snapshot.raw), "sws_scale_frame", operation)
            PictureTurn.turn(source, by: rotation, into: picture)
        }
        if let rectangle { draw(rectangle, on: picture) }
        picture.pointee.pts = framesEncoded
        picture.pointee.quality = encoder.pointee.global_quality
        framesEncoded += 1

        try ffCheck(avcodec_send_frame(encoder, picture), "avcodec_send_frame", operation)
        av_packet_unref(packet)
        try ffCheck(avcodec_receive_packet(encoder, packet), "avcodec_receive_packet", operation)
        defer { av_packet_unref(packet) }
        guard let data = packet.pointee.data, packet.pointee.size > 0 else {
            throw MediaError(code: .ffmpeg, operation: operation, call: "avcodec_receive_packet", reason: "the encoder returned no data")
        }
        try Self.writeAtomically(UnsafeRawBufferPointer(start: data, count: Int(packet.pointee.size)), to: path, operation: operation)
    }

    /// The encoder, work frame and packet for a `width` × `height` picture, (re)created when the size changes.
    private func prepare(width: Int, height: Int, operation: String) throws(MediaError)
        -> (UnsafeMutablePointer<AVCodecContext>, UnsafeMutablePointer<AVFrame>, UnsafeMutablePointer<AVPacket>)
    {
        if packet == nil {
            packet = av_packet_alloc()
            guard packet != nil else { throw MediaError(code: .outOfMemory, operation: operation, call: "av_packet_alloc") }
        }
        if let encoder, let picture, let packet, size == (width, height) { return (encoder, picture, packet) }
        avcodec_free_context(&encoder)
        av_frame_free(&picture)
        size = (0, 0)
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(code: .unsupported, operation: operation, call: "avcodec_find_encoder",
                             reason: "this FFmpeg has no mjpeg encoder")
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError(code: .outOfMemory, operation: operation, call: "avcodec_alloc_context3")
        }
        encoder = context
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.color_range = AVCOL_RANGE_JPEG
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        context.pointee.global_quality = Int32(FF_QP2LAMBDA) * Int32(quality)
        try ffCheck(avcodec_open2(context, codec, nil), "avcodec_open2", operation)

        guard let frame = av_frame_alloc() else { throw MediaError(code: .outOfMemory, operation: operation, call: "av_frame_alloc") }
        picture = frame
        frame.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.color_range = AVCOL_RANGE_JPEG
        try ffCheck(av_frame_get_buffer(frame, 0), "av_frame_get_buffer", operation)
        size = (width, height)
        return (context, frame, packet!)
    }

    /// The yuvj420p frame swscale writes into before a turn, (re)allocated when the size changes.
    private func unturnedFrame(width: Int, height: Int, operation: String) throws(MediaError) -> UnsafeMutablePointer<AVFrame> {
        if let unturned, unturned.pointee.width == Int32(width), unturned.pointee.height == Int32(height) { return unturned }
        av_frame_free(&unturned)
        let frame = try PictureTurn.makeFrame(format: AV_PIX_FMT_YUVJ420P, range: AVCOL_RANGE_JPEG, width: width, height: height, operation: operation)
        unturned = frame
        return frame
    }

    private func draw(_ rectangle: RectangleOverlay, on frame: UnsafeMutablePointer<AVFrame>) {
        let (data, linesize) = (frame.pointee.data, frame.pointee.linesize)
        guard let y = data.0, let cb = data.1, let cr = data.2 else { return }
        rectangle.draw(y: y, yStride: Int(linesize.0), cb: cb, cr: cr, chromaStride: Int(linesize.1),
                       width: Int(frame.pointee.width), height: Int(frame.pointee.height))
    }

    /// Writes `bytes` to `path + ".tmp"`, fsyncs it, renames it to `path` and fsyncs the folder.
    private static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String, operation: String) throws(MediaError) {
        func fail(_ call: String) -> MediaError {
            MediaError(averror: cseccam_averror(errno), call: call, operation: operation)
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("open") }
        var written = 0
        while written < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let error = fail("write")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        if fsync(fd) != 0 {
            let error = fail("fsync")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = fail("rename")
            unlink(temporary)
            throw error
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dirFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }
}

@available(*, unavailable) extension JPEGWriter: Sendable {}
