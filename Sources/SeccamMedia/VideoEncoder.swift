internal import CSeccamFFmpeg

/// What to paint on a picture before it is encoded: an outline (dvr-scan's `-bb`) and text boxes (`-tc`, `-fm`).
public struct VideoOverlays: Sendable, Equatable {
    public var rectangle: RectangleOverlay?
    public var texts: [TextOverlay]

    public init(rectangle: RectangleOverlay? = nil, texts: [TextOverlay] = []) {
        self.rectangle = rectangle
        self.texts = texts
    }

    public var isEmpty: Bool { rectangle == nil && texts.isEmpty }
}

/// Writes a video file by re-encoding pictures in-process with libavcodec: libx264 (`-preset veryfast -crf 22`,
/// as dvr-scan's ffmpeg mode) when this FFmpeg has it, otherwise the built-in `mpeg4` encoder (``usedFallback``).
/// Pictures are converted by swscale to limited-range `yuv420p` (a plain copy for `yuv420p` input), overlays
/// are painted into that copy (never into the decoder's picture), and frames get constant-rate timestamps
/// 0, 1, 2, … in units of one frame. Video only: no audio is carried.
///
/// Owns an encoder `AVCodecContext`, a `SwsContext`, a work `AVFrame`, an `AVPacket` and the output ``Muxer``.
/// ``finish()`` drains the encoder and writes the trailer; releasing an unfinished encoder closes the file as it
/// is. Not thread-safe.
/// The corresponding C functions are `avcodec_find_encoder_by_name`, `avcodec_open2`, `avcodec_send_frame`,
/// `avcodec_receive_packet` and `avcodec_free_context`.
public final class VideoEncoder {
    /// The encoder used (`libx264` or `mpeg4`).
    public let codecName: String
    /// Whether the preferred encoder was missing and `mpeg4` is used instead.
    public let usedFallback: Bool
    public let path: String
    /// The clip's picture size (turned when `rotation` is not `.none`).
    public let width: Int
    public let height: Int
    /// The display rotation applied to each picture before it is encoded.
    public let rotation: DisplayRotation
    /// Frames given to ``encode(_:overlays:)`` so far.
    public private(set) var framesEncoded: Int64 = 0
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var scaler: OpaquePointer?
    private var picture: UnsafeMutablePointer<AVFrame>?
    /// The converted picture before the turn (turned clips only).
    private var unturned: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let muxer: Muxer
    private let stream: Int
    private var finished = false

    /// Creates `path` (container `format`, e.g. `mp4`) holding one video stream of `width` × `height` at the
    /// constant `frameRate` (frames per second as a rational, e.g. 25/1 or 30000/1001).
    /// - Parameters:
    ///   - rotation: turn each picture by this before encoding (a turned stream's clip is written the right way
    ///     up); `width` × `height` is then the turned size.
    ///   - preferredCodec: encoder name to try first; `mpeg4` is used when this FFmpeg lacks it.
    ///   - muxerOptions: passed to the header (MP4 `movflags` for fragmented output).
    /// - Throws: ``MediaError`` naming `path`: the muxer's or encoder's failure, `unsupported` if neither encoder exists.
    public init(path: String, format: String, width: Int, height: Int, frameRate: TimeBase, rotation: DisplayRotation = .none,
                preferredCodec: String = "libx264", muxerOptions: [String: String] = [:]) throws(MediaError) {
        try FFmpegLibrary.initialize()
        let operation = "opening a video encoder for \(path)"
        guard width > 0, height > 0, frameRate.numerator > 0, frameRate.denominator > 0 else {
            throw MediaError(code: .invalidArgument, operation: operation,
                             reason: "invalid picture size \(width)x\(height) or frame rate \(frameRate)")
        }
        let muxer = try Muxer(path: path, format: format)
        var usedFallback = false
        var codec = avcodec_find_encoder_by_name(preferredCodec)
        if codec == nil {
            codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4)
            usedFallback = true
        }
        guard let codec else {
            throw MediaError(code: .unsupported, operation: operation, call: "avcodec_find_encoder",
                             reason: "this FFmpeg has neither a \(preferredCodec) nor an mpeg4 encoder")
        }
        var context = avcodec_alloc_context3(codec)
        guard let ctx = context else { throw MediaError(code: .outOfMemory, operation: operation, call: "avcodec_alloc_context3") }
        var frame = av_frame_alloc()
        var scratch = av_packet_alloc()
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        let stream: Int
        do throws(MediaError) {
            guard let frame, scratch != nil else { throw MediaError(code: .outOfMemory, operation: operation, call: "av_frame_alloc") }
            ctx.pointee.width = Int32(width)
            ctx.pointee.height = Int32(height)
            ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            ctx.pointee.color_range = AVCOL_RANGE_MPEG
            ctx.pointee.time_base = AVRational(num: frameRate.denominator, den: frameRate.numerator)
            ctx.pointee.framerate = frameRate.rational
            // A keyframe about every 2 s, so a fragmented file cut short by a crash loses little.
            ctx.pointee.gop_size = Int32(max(1, min(600, (frameRate.doubleValue * 2).rounded())))
            ctx.pointee.thread_count = 0
            if muxer.wantsGlobalHeader { ctx.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
            if usedFallback || String(cString: codec.pointee.name) == "mpeg4" {
                ctx.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
                ctx.pointee.global_quality = Int32(FF_QP2LAMBDA) * 3
            } else if String(cString: codec.pointee.name) == "libx264" {
                av_dict_set(&options, "preset", "veryfast", 0)
                av_dict_set(&options, "crf", "22", 0)
            }
            try ffCheck(avcodec_open2(ctx, codec, &options), "avcodec_open2", operation)
            frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            frame.pointee.width = Int32(width)
            frame.pointee.height = Int32(height)
            frame.pointee.color_range = AVCOL_RANGE_MPEG
            try ffCheck(av_frame_get_buffer(frame, 0), "av_frame_get_buffer", operation)
            stream = try muxer.addStream(encoder: ctx)
            try muxer.writeHeader(options: muxerOptions)
        } catch {
            avcodec_free_context(&context)
            av_frame_free(&frame)
            av_packet_free(&scratch)
            throw error
        }
        self.codecName = String(cString: codec.pointee.name)
        self.usedFallback = usedFallback
        self.path = path
        self.width = width
        self.height = height
        self.rotation = rotation
        self.muxer = muxer
        self.stream = stream
        encoder = ctx
        picture = frame
        packet = scratch
    }

    deinit {
        avcodec_free_context(&encoder)
        sws_freeContext(scaler)
        av_frame_free(&picture)
        av_frame_free(&unturned)
        av_packet_free(&packet)
    }

    /// Encodes `snapshot`'s picture with `overlays` painted on a copy of it, as the next frame.
    /// - Throws: ``MediaError`` naming the file: `invalidArgument` for an empty snapshot or one of another
    ///   size, `unsupported` when swscale cannot convert its format, or the encoder's or muxer's failure.
    public func encode(_ snapshot: FrameSnapshot, overlays: VideoOverlays = VideoOverlays()) throws(MediaError) {
        let operation = "encoding frame \(framesEncoded) of \(path)"
        precondition(!finished, "VideoEncoder.encode after finish")
        guard let encoder, let picture else { return }
        let shown = rotation.displaySize(width: snapshot.width, height: snapshot.height)
        guard !snapshot.isEmpty, shown.width == width, shown.height == height else {
            throw MediaError(code: .invalidArgument, operation: operation,
                             reason: "picture is \(shown.width)x\(shown.height) as shown, the clip is \(width)x\(height)")
        }
        let (sourceWidth, sourceHeight) = (Int32(snapshot.width), Int32(snapshot.height))
        scaler = sws_getCachedContext(scaler, sourceWidth, sourceHeight, AVPixelFormat(rawValue: snapshot.raw.pointee.format),
                                      sourceWidth, sourceHeight, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nil, nil, nil)
        guard let scaler else {
            throw MediaError(code: .unsupported, operation: operation, call: "sws_getCachedContext",
                             reason: "swscale cannot convert \(snapshot.pixelFormat.name) to yuv420p")
        }
        // The encoder may still hold the previous picture's buffer: get a writable one before painting.
        try ffCheck(av_frame_make_writable(picture), "av_frame_make_writable", operation)
        if rotation == .none {
            try ffCheck(sws_scale_frame(scaler, picture, snapshot.raw), "sws_scale_frame", operation)
        } else {
            if unturned == nil {
                unturned = try PictureTurn.makeFrame(format: AV_PIX_FMT_YUV420P, range: AVCOL_RANGE_MPEG,
                                                     width: snapshot.width, height: snapshot.height, operation: operation)
            }
            try ffCheck(sws_scale_frame(scaler, unturned, snapshot.raw), "sws_scale_frame", operation)
            PictureTurn.turn(unturned!, by: rotation, into: picture)
        }
        picture.pointee.color_range = AVCOL_RANGE_MPEG
        if !overlays.isEmpty, let planes = Self.planes(of: picture) {
            if let rectangle = overlays.rectangle { planes.draw(rectangle, color: rectangle.limitedRangeYCbCr) }
            let white = RectangleOverlay.limitedRange(red: 255, green: 255, blue: 255)
            let black = RectangleOverlay.limitedRange(red: 0, green: 0, blue: 0)
            for text in overlays.texts { planes.draw(text, ink: white, background: black) }
        }
        picture.pointee.pts = framesEncoded
        picture.pointee.pict_type = AV_PICTURE_TYPE_NONE
        framesEncoded += 1
        try ffCheck(avcodec_send_frame(encoder, picture), "avcodec_send_frame", operation)
        try drainPackets(operation: operation)
    }

    /// Encodes a full-range 8-bit gray picture (`width` × `height` bytes in rows, 0 black, 255 white) as the next
    /// frame; the encoder's picture may be larger (even sizes for 4:2:0), the rest is black. An unturned encoder only.
    /// - Throws: ``MediaError`` naming the file: `invalidArgument` when the picture is larger than the encoder's or
    ///   `pixels` is short, or the encoder's or muxer's failure.
    public func encode(gray pixels: UnsafeBufferPointer<UInt8>, width grayWidth: Int, height grayHeight: Int) throws(MediaError) {
        let operation = "encoding frame \(framesEncoded) of \(path)"
        precondition(!finished, "VideoEncoder.encode after finish")
        precondition(rotation == .none, "gray pictures are not turned")
        guard let encoder, let picture else { return }
        guard grayWidth <= width, grayHeight <= height, pixels.count >= grayWidth * grayHeight else {
            throw MediaError(code: .invalidArgument, operation: operation,
                             reason: "gray picture \(grayWidth)x\(grayHeight) does not fit the \(width)x\(height) video")
        }
        try ffCheck(av_frame_make_writable(picture), "av_frame_make_writable", operation)
        guard let planes = Self.planes(of: picture) else { return }
        for row in 0..<height {
            let line = planes.y + row * planes.yStride
            for column in 0..<width {
                let value = row < grayHeight && column < grayWidth ? Int(pixels[row * grayWidth + column]) : 0
                line[column] = UInt8(16 + (value * 219 + 127) / 255)  // full range to limited range
            }
        }
        for row in 0..<(height + 1) / 2 {
            (planes.cb + row * planes.chromaStride).update(repeating: 128, count: (width + 1) / 2)
            (planes.cr + row * planes.chromaStride).update(repeating: 128, count: (width + 1) / 2)
        }
        picture.pointee.color_range = AVCOL_RANGE_MPEG
        picture.pointee.pts = framesEncoded
        picture.pointee.pict_type = AV_PICTURE_TYPE_NONE
        framesEncoded += 1
        try ffCheck(avcodec_send_frame(encoder, picture), "avcodec_send_frame", operation)
        try drainPackets(operation: operation)
    }

    /// Flushes the encoder's delayed frames, writes the trailer and closes the file. Idempotent.
    public func finish() throws(MediaError) {
        guard !finished, let encoder else { return }
        finished = true
        let operation = "finishing \(path)"
        try ffCheck(avcodec_send_frame(encoder, nil), "avcodec_send_frame", operation)
        try drainPackets(operation: operation)
        try muxer.finish()
    }

    /// Moves every packet the encoder has ready into the file (EAGAIN and EOF end the loop: they are states).
    private func drainPackets(operation: @autoclosure () -> String) throws(MediaError) {
        guard let encoder, let packet else { return }
        while true {
            let ret = avcodec_receive_packet(encoder, packet)
            if ret == cseccam_averror_eagain() || ret == cseccam_averror_eof() { return }
            try ffCheck(ret, "avcodec_receive_packet", operation())
            defer { av_packet_unref(packet) }
            try muxer.write(encoded: packet, toStream: stream)
        }
    }

    private static func planes(of frame: UnsafeMutablePointer<AVFrame>) -> PlanarPicture? {
        let (data, linesize) = (frame.pointee.data, frame.pointee.linesize)
        guard let y = data.0, let cb = data.1, let cr = data.2 else { return nil }
        return PlanarPicture(y: y, yStride: Int(linesize.0), cb: cb, cr: cr, chromaStride: Int(linesize.1),
                             width: Int(frame.pointee.width), height: Int(frame.pointee.height))
    }
}

@available(*, unavailable) extension VideoEncoder: Sendable {}
