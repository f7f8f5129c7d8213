internal import CSeccamFFmpeg

/// A reusable decoded picture. Move-only: exactly one owner frees it. Plane pointers are only valid
/// inside ``withPlanes(_:)`` and until the next decode into this frame.
/// The corresponding C functions are `av_frame_alloc`, `av_frame_unref` and `av_frame_free`.
public struct Frame: ~Copyable {
    let raw: UnsafeMutablePointer<AVFrame>

    public init() throws(MediaError) {
        guard let f = av_frame_alloc() else {
            throw MediaError(code: .outOfMemory, operation: "allocating a frame", call: "av_frame_alloc")
        }
        raw = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = raw
        av_frame_free(&f)
    }

    /// Releases the picture buffers so the frame can be reused.
    public mutating func reset() { av_frame_unref(raw) }

    public var width: Int { Int(raw.pointee.width) }
    public var height: Int { Int(raw.pointee.height) }
    /// The decoder's output pixel format.
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: raw.pointee.format) }
    /// Whether the decoder marked this picture as a keyframe.
    public var isKeyframe: Bool { cseccam_frame_is_key(raw) != 0 }
    /// The best-effort presentation timestamp in the stream's time base (`best_effort_timestamp`), raw ticks.
    var bestEffortTimestamp: Int64 { raw.pointee.best_effort_timestamp }

    /// Presentation time in `timeBase` (the stream's), nil when unknown.
    public func pts(timeBase: TimeBase) -> MediaTime? { .from(raw.pointee.best_effort_timestamp, timeBase) }

    /// Borrows the first three planes (Y, U, V for planar YUV) without copying.
    public func withPlanes<R, E: Error>(_ body: (Plane, Plane, Plane) throws(E) -> R) throws(E) -> R {
        func plane(_ i: Int) -> Plane {
            let data = withUnsafePointer(to: raw.pointee.data) { tuple in
                tuple.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { $0[i] }
            }
            let stride = withUnsafePointer(to: raw.pointee.linesize) { tuple in
                tuple.withMemoryRebound(to: Int32.self, capacity: 8) { $0[i] }
            }
            return Plane(base: data.map { UnsafePointer($0) }, stride: Int(stride))
        }
        return try body(plane(0), plane(1), plane(2))
    }
}

/// One image plane of a decoded frame: a base pointer and the byte distance between rows.
public struct Plane {
    /// Start of row 0, nil when the format has no such plane.
    public let base: UnsafePointer<UInt8>?
    /// Bytes from one row to the next (may exceed the width).
    public let stride: Int
}

/// A decoder output pixel format (`AVPixelFormat`).
public struct PixelFormat: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// FFmpeg's name, such as `yuv420p` or `yuvj420p`.
    public var name: String {
        guard let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: rawValue)) else { return "none" }
        return String(cString: name)
    }

    /// 8-bit planar 4:2:0 (`yuv420p` or `yuvj420p`): the formats whose gray we compute directly.
    public var isPlanar420EightBit: Bool {
        rawValue == AV_PIX_FMT_YUV420P.rawValue || rawValue == AV_PIX_FMT_YUVJ420P.rawValue
    }

    /// Full ("JPEG") range as swscale sees it: only the `yuvj*` formats, whatever the stream's range tag says.
    public var isFullRangeYUVJ: Bool {
        [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P]
            .contains { $0.rawValue == rawValue }
    }

    public var description: String { name }
}
