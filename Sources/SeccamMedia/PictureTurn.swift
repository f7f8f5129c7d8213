internal import CSeccamFFmpeg

/// Turns 8-bit 4:2:0 pictures (`yuv420p`, `yuvj420p`) by a ``DisplayRotation``, for writers that show a turned
/// stream the right way up (thumbnails, re-encoded clips).
enum PictureTurn {
    /// Copies the three planes of `source` into `target` (allocated at the turned size) through `rotation`.
    static func turn(_ source: UnsafeMutablePointer<AVFrame>, by rotation: DisplayRotation, into target: UnsafeMutablePointer<AVFrame>) {
        let width = Int(source.pointee.width), height = Int(source.pointee.height)
        let chroma = (width: (width + 1) / 2, height: (height + 1) / 2)
        let planes = [(source.pointee.data.0, source.pointee.linesize.0, target.pointee.data.0, target.pointee.linesize.0, width, height),
                      (source.pointee.data.1, source.pointee.linesize.1, target.pointee.data.1, target.pointee.linesize.1, chroma.width, chroma.height),
                      (source.pointee.data.2, source.pointee.linesize.2, target.pointee.data.2, target.pointee.linesize.2, chroma.width, chroma.height)]
        for (from, fromStride, to, toStride, planeWidth, planeHeight) in planes {
            guard let from, let to else { continue }
            let shown = rotation.displaySize(width: planeWidth, height: planeHeight)
            for y in 0..<shown.height {
                for x in 0..<shown.width {
                    let p = rotation.sourcePixel(x: x, y: y, width: planeWidth, height: planeHeight)
                    to[y * Int(toStride) + x] = from[p.y * Int(fromStride) + p.x]
                }
            }
        }
    }

    /// A `format` frame of `width` × `height` with its own buffers, for the picture before the turn.
    static func makeFrame(format: AVPixelFormat, range: AVColorRange, width: Int, height: Int, operation: String) throws(MediaError)
        -> UnsafeMutablePointer<AVFrame>
    {
        guard let frame = av_frame_alloc() else { throw MediaError(code: .outOfMemory, operation: operation, call: "av_frame_alloc") }
        frame.pointee.format = format.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.color_range = range
        do throws(MediaError) {
            try ffCheck(av_frame_get_buffer(frame, 0), "av_frame_get_buffer", operation)
        } catch {
            var owned: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&owned)
            throw error
        }
        return frame
    }
}
