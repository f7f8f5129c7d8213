internal import CSeccamFFmpeg

/// The turn a player applies to a video stream's pictures (its display matrix), as OpenCV applies it
/// with `CAP_PROP_ORIENTATION_AUTO` (which dvr-scan turns on): only whole quarter turns, clockwise.
/// Detection runs on the turned picture, so sizes, regions and boxes are in display coordinates.
public enum DisplayRotation: Int, Sendable, Codable {
    case none = 0
    /// OpenCV's `ROTATE_90_CLOCKWISE`.
    case clockwise90 = 90
    case halfTurn = 180
    /// OpenCV's `ROTATE_90_COUNTERCLOCKWISE`.
    case counterclockwise90 = 270

    /// OpenCV's reading of a display matrix: `-cvRound(av_display_rotation_get)` (half to even), plus 360 when negative;
    /// any angle that is not a quarter turn means no turn.
    public init(displayMatrixDegrees degrees: Double) {
        guard degrees.isFinite else {
            self = .none
            return
        }
        var angle = -Int(degrees.rounded(.toNearestOrEven))
        if angle < 0 { angle += 360 }
        self = DisplayRotation(rawValue: angle) ?? .none
    }

    /// The turn recorded in `stream`'s display matrix side data, if any.
    init(stream: UnsafeMutablePointer<AVStream>) {
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nil) else {
            self = .none
            return
        }
        let matrix = UnsafeRawPointer(data).assumingMemoryBound(to: Int32.self)
        self.init(displayMatrixDegrees: av_display_rotation_get(matrix))
    }

    /// The size of the turned picture of a `width` × `height` frame.
    public func displaySize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch self {
        case .none, .halfTurn: (width, height)
        case .clockwise90, .counterclockwise90: (height, width)
        }
    }

    /// The frame pixel shown at display pixel (`x`, `y`) of a `width` × `height` frame (source size).
    public func sourcePixel(x: Int, y: Int, width: Int, height: Int) -> (x: Int, y: Int) {
        switch self {
        case .none: (x, y)
        case .clockwise90: (y, height - 1 - x)
        case .halfTurn: (width - 1 - x, height - 1 - y)
        case .counterclockwise90: (width - 1 - y, x)
        }
    }
}
