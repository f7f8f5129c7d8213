/// A polygon vertex in full-frame pixel coordinates.
public struct PolygonPoint: Sendable, Hashable {
    /// Column.
    public var x: Int
    /// Row.
    public var y: Int

    /// Creates a point.
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// A region of interest: a polygon (dvr-scan `-a`), optionally named and with its own threshold.
public struct Region: Sendable, Hashable {
    /// A label for logs and event records.
    public var name: String?
    /// At least 3 vertices; dvr-scan clamps them to `[0, W] x [0, H]`.
    public var points: [PolygonPoint]
    /// This region's score threshold, or `nil` to use the global one (a ZoneMinder-style extension).
    public var threshold: Double?

    /// Creates a region.
    public init(name: String? = nil, points: [PolygonPoint], threshold: Double? = nil) {
        self.name = name
        self.points = points
        self.threshold = threshold
    }

    /// The rectangle `x y w h` as dvr-scan's deprecated `-roi` turns it into a polygon.
    public static func rectangle(x: Int, y: Int, width: Int, height: Int, name: String? = nil) -> Region {
        Region(name: name, points: [
            PolygonPoint(x: x, y: y), PolygonPoint(x: x + width, y: y),
            PolygonPoint(x: x + width, y: y + height), PolygonPoint(x: x, y: y + height),
        ])
    }

    /// The vertices clamped to `x ∈ [0, width]`, `y ∈ [0, height]` as dvr-scan does (W and H themselves allowed).
    public func clamped(width: Int, height: Int) -> [PolygonPoint] {
        points.map { PolygonPoint(x: min(max(0, $0.x), width), y: min(max(0, $0.y), height)) }
    }
}
