/// Counting and bounding-box helpers over 0/255 masks.
enum MaskStatistics {
    private typealias Vector = SIMD16<UInt8>
    // Vector-to-vector comparisons: comparing with a scalar compiles to a per-lane loop.
    private static let ones = Vector(repeating: 1)

    /// Number of non-zero bytes in `count` bytes at `pixels`.
    static func nonZero(_ pixels: UnsafePointer<UInt8>, count: Int) -> Int {
        var total = 0
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(pixels + i).loadUnaligned(as: Vector.self)
            if v != Vector() {
                total += Int(Vector().replacing(with: ones, where: v .!= Vector()).wrappedSum())
            }
            i += 16
        }
        while i < count {
            total += pixels[i] != 0 ? 1 : 0
            i += 1
        }
        return total
    }

    /// Number of positions where both `a` and `b` are non-zero.
    static func nonZeroBoth(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int) -> Int {
        var total = 0
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(a + i).loadUnaligned(as: Vector.self)
            if v != Vector() {
                let w = UnsafeRawPointer(b + i).loadUnaligned(as: Vector.self)
                total += Int(Vector().replacing(with: ones, where: (v .!= Vector()) .& (w .!= Vector())).wrappedSum())
            }
            i += 16
        }
        while i < count {
            total += a[i] != 0 && b[i] != 0 ? 1 : 0
            i += 1
        }
        return total
    }

    /// `cv2.boundingRect` of the non-zero pixels plus their count; the rectangle is `nil` when there are none.
    static func boundingRect(_ pixels: UnsafePointer<UInt8>, width: Int, height: Int)
        -> (count: Int, rect: (x: Int, y: Int, width: Int, height: Int)?) {
        var count = 0
        var minX = Int.max, maxX = -1, minY = Int.max, maxY = -1
        for y in 0..<height {
            let row = pixels + y * width
            let n = nonZero(row, count: width)
            guard n > 0 else { continue }
            count += n
            minY = min(minY, y)
            maxY = y
            var first = 0
            while row[first] == 0 { first += 1 }
            var last = width - 1
            while row[last] == 0 { last -= 1 }
            minX = min(minX, first)
            maxX = max(maxX, last)
        }
        guard count > 0 else { return (0, nil) }
        return (count, (minX, minY, maxX - minX + 1, maxY - minY + 1))
    }
}
