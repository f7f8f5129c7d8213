internal import CSeccamFFmpeg

/// A kept decoded picture: a new reference to a frame's buffers (`av_frame_ref`), so a picture can outlive
/// the reusable ``Frame`` it was decoded into without copying its pixels (the decoder's buffer pool simply
/// hands out another buffer while this one is held). Used to keep an event's best frame until it ends.
/// The corresponding C functions are `av_frame_alloc`, `av_frame_ref`, `av_frame_unref` and `av_frame_free`.
public final class FrameSnapshot {
    let raw: UnsafeMutablePointer<AVFrame>
    /// Whether a picture is held.
    public private(set) var isEmpty = true

    public init() throws(MediaError) {
        guard let f = av_frame_alloc() else {
            throw MediaError(code: .outOfMemory, operation: "allocating a frame snapshot", call: "av_frame_alloc")
        }
        raw = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = raw
        av_frame_free(&f)
    }

    /// Drops the held picture (if any) and references `frame`'s picture instead.
    public func capture(_ frame: borrowing Frame) throws(MediaError) {
        av_frame_unref(raw)
        isEmpty = true
        try ffCheck(av_frame_ref(raw, frame.raw), "av_frame_ref", "keeping a reference to a decoded frame")
        isEmpty = false
    }

    /// Releases the held picture.
    public func clear() {
        av_frame_unref(raw)
        isEmpty = true
    }

    public var width: Int { Int(raw.pointee.width) }
    public var height: Int { Int(raw.pointee.height) }
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: raw.pointee.format) }
}

@available(*, unavailable) extension FrameSnapshot: Sendable {}
