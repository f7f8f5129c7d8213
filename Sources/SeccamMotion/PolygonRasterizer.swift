/// OpenCV's `fillPoly` with `LINE_4` and `shift = 0` (DVR-SCAN.md §1.3), reproduced pixel for pixel.
///
/// The outline is drawn as 4-connected lines (clipped with Cohen–Sutherland `clipLine`), and the
/// interior is filled scanline by scanline from 16.16 fixed-point edges with the even–odd rule.
public enum PolygonRasterizer {
    /// Sets every pixel of one polygon to `value` in a `width` x `height` row-major mask.
    ///
    /// - Parameters:
    ///   - points: the vertices, in order; the polygon is closed automatically.
    ///   - mask: `width * height` bytes, modified in place (union with what is already set).
    ///   - value: the fill value, 255 for dvr-scan.
    public static func fill(_ points: [PolygonPoint], into mask: inout [UInt8], width: Int, height: Int,
                            value: UInt8 = 255) {
        precondition(mask.count == width * height, "PolygonRasterizer: mask size mismatch")
        guard !points.isEmpty, width > 0, height > 0 else { return }
        mask.withUnsafeMutableBufferPointer { buffer in
            var canvas = Canvas(pixels: buffer, width: width, height: height, value: value)
            let edges = collectEdges(points, canvas: &canvas)
            fillEdges(edges, canvas: &canvas)
        }
    }

    private struct Canvas {
        var pixels: UnsafeMutableBufferPointer<UInt8>
        let width: Int
        let height: Int
        let value: UInt8

        func plot(_ x: Int, _ y: Int) {
            pixels[y * width + x] = value
        }

        func span(_ y: Int, _ x1: Int, _ x2: Int) {
            guard x1 <= x2 else { return }
            for x in x1...x2 {
                pixels[y * width + x] = value
            }
        }
    }

    private struct Edge {
        var y0: Int
        var y1: Int
        var x: Int
        var dx: Int
    }

    private struct Point {
        var x: Int
        var y: Int
    }

    private static let shift = 16
    private static let one = 1 << 16

    /// `cv::clipLine` against `[0, width-1] x [0, height-1]`; returns whether anything is left.
    private static func clipLine(width: Int, height: Int, _ p1: inout Point, _ p2: inout Point) -> Bool {
        let right = width - 1
        let bottom = height - 1
        if width <= 0 || height <= 0 {
            return false
        }
        func code(_ p: Point) -> Int {
            (p.x < 0 ? 1 : 0) + (p.x > right ? 2 : 0) + (p.y < 0 ? 4 : 0) + (p.y > bottom ? 8 : 0)
        }
        func step(_ a: Int, _ b: Int, _ num: Int, _ den: Int) -> Int {
            Int(Double(a - b) * Double(num) / Double(den))
        }
        var c1 = code(p1)
        var c2 = code(p2)
        if (c1 & c2) == 0 && (c1 | c2) != 0 {
            if c1 & 12 != 0 {
                let a = c1 < 8 ? 0 : bottom
                p1.x += step(a, p1.y, p2.x - p1.x, p2.y - p1.y)
                p1.y = a
                c1 = (p1.x < 0 ? 1 : 0) + (p1.x > right ? 2 : 0)
            }
            if c2 & 12 != 0 {
                let a = c2 < 8 ? 0 : bottom
                p2.x += step(a, p2.y, p2.x - p1.x, p2.y - p1.y)
                p2.y = a
                c2 = (p2.x < 0 ? 1 : 0) + (p2.x > right ? 2 : 0)
            }
            if (c1 & c2) == 0 && (c1 | c2) != 0 {
                if c1 != 0 {
                    let a = c1 == 1 ? 0 : right
                    p1.y += step(a, p1.x, p2.y - p1.y, p2.x - p1.x)
                    p1.x = a
                    c1 = 0
                }
                if c2 != 0 {
                    let a = c2 == 1 ? 0 : right
                    p2.y += step(a, p2.x, p2.y - p1.y, p2.x - p1.x)
                    p2.x = a
                    c2 = 0
                }
            }
        }
        return (c1 | c2) == 0
    }

    private static func isOutside(_ p: Point, _ canvas: Canvas) -> Bool {
        p.x < 0 || p.x >= canvas.width || p.y < 0 || p.y >= canvas.height
    }

    /// `cv::Line` with 4-connectivity, drawn left to right.
    private static func line(_ a: Point, _ b: Point, canvas: Canvas) {
        var p1 = a
        var p2 = b
        if isOutside(p1, canvas) || isOutside(p2, canvas) {
            guard clipLine(width: canvas.width, height: canvas.height, &p1, &p2) else { return }
        }
        var dx = p2.x - p1.x
        var dy = p2.y - p1.y
        if dx < 0 {
            dx = -dx
            dy = -dy
            swap(&p1, &p2)
        }
        let stepY = dy < 0 ? -1 : 1
        dy = abs(dy)
        let vertical = dy > dx
        if vertical {
            swap(&dx, &dy)
        }
        var err = 0
        var x = p1.x
        var y = p1.y
        for _ in 0..<(dx + dy + 1) {
            canvas.plot(x, y)
            let major = err >= 0
            if major {
                err -= 2 * dy
            } else {
                err += 2 * dx
            }
            if major == !vertical {
                x += 1
            } else {
                y += stepY
            }
        }
    }

    /// `CollectPolyEdges`: draws the outline and returns the non-horizontal edges.
    private static func collectEdges(_ points: [PolygonPoint], canvas: inout Canvas) -> [Edge] {
        var edges: [Edge] = []
        edges.reserveCapacity(points.count)
        var pt0 = Point(x: points[points.count - 1].x << shift, y: points[points.count - 1].y)
        for vertex in points {
            let pt1 = Point(x: vertex.x << shift, y: vertex.y)
            var t0 = Point(x: (pt0.x + (one >> 1)) >> shift, y: pt0.y)
            var t1 = Point(x: (pt1.x + (one >> 1)) >> shift, y: pt1.y)
            line(t0, t1, canvas: canvas)
            var c0 = pt0
            var c1 = pt1
            if isOutside(t0, canvas) || isOutside(t1, canvas) {
                _ = clipLine(width: canvas.width, height: canvas.height, &t0, &t1)
                if t0.y != t1.y {
                    c0.y = t0.y
                    c1.y = t1.y
                }
            }
            c0.x = t0.x << shift
            c1.x = t1.x << shift
            defer { pt0 = pt1 }
            if pt0.y == pt1.y {
                continue
            }
            let dx = (c1.x - c0.x) / (c1.y - c0.y)
            if pt0.y < pt1.y {
                edges.append(Edge(y0: pt0.y, y1: pt1.y, x: c0.x + (pt0.y - c0.y) * dx, dx: dx))
            } else {
                edges.append(Edge(y0: pt1.y, y1: pt0.y, x: c1.x + (pt1.y - c1.y) * dx, dx: dx))
            }
        }
        return edges
    }

    /// `FillEdgeCollection`: the scanline fill with OpenCV's active-edge list order.
    private static func fillEdges(_ input: [Edge], canvas: inout Canvas) {
        guard input.count >= 2 else { return }
        var yMin = Int.max
        var yMax = Int.min
        var xMin = Int.max
        var xMax = -1
        for e in input {
            let xEnd = e.x + (e.y1 - e.y0) * e.dx
            yMin = min(yMin, e.y0)
            yMax = max(yMax, e.y1)
            xMin = min(xMin, e.x, xEnd)
            xMax = max(xMax, e.x, xEnd)
        }
        if yMax < 0 || yMin >= canvas.height || xMax < 0 || xMin >= (canvas.width << shift) {
            return
        }
        var edges = input.sorted { a, b in
            a.y0 != b.y0 ? a.y0 < b.y0 : a.x != b.x ? a.x < b.x : a.dx < b.dx
        }
        yMax = min(yMax, canvas.height)
        var next = 0
        var active: [Int] = []      // indices into edges, kept sorted by x
        var merged: [Int] = []
        var y = edges[0].y0
        while y < yMax {
            // Merge the active list with the edges starting on this line, dropping finished ones.
            merged.removeAll(keepingCapacity: true)
            var a = 0
            while a < active.count || (next < edges.count && edges[next].y0 == y) {
                if a < active.count && edges[active[a]].y1 == y {
                    a += 1
                    continue
                }
                let startsHere = next < edges.count && edges[next].y0 == y
                if a < active.count && (!startsHere || edges[active[a]].x < edges[next].x) {
                    merged.append(active[a])
                    a += 1
                } else {
                    merged.append(next)
                    next += 1
                }
            }
            // Fill between pairs and advance the paired edges.
            var i = 1
            while i < merged.count {
                let left = merged[i - 1]
                let right = merged[i]
                let xa = edges[left].x
                let xb = edges[right].x
                if y >= 0 {
                    var x1: Int
                    var x2: Int
                    if xa > xb {
                        x1 = (xb + one - 1) >> shift
                        x2 = xa >> shift
                    } else {
                        x1 = (xa + one - 1) >> shift
                        x2 = xb >> shift
                    }
                    if x1 < canvas.width && x2 >= 0 {
                        x1 = max(x1, 0)
                        x2 = min(x2, canvas.width - 1)
                        canvas.span(y, x1, x2)
                    }
                }
                edges[left].x += edges[left].dx
                edges[right].x += edges[right].dx
                i += 2
            }
            // Stable sort by x (what OpenCV's bubble sort produces).
            swap(&active, &merged)
            for j in 1..<max(active.count, 1) {
                let item = active[j]
                var k = j
                while k > 0 && edges[active[k - 1]].x > edges[item].x {
                    active[k] = active[k - 1]
                    k -= 1
                }
                active[k] = item
            }
            y += 1
        }
    }
}
