/// An axis-aligned rectangle outline to draw on a picture, as `cv2.rectangle(img, (left, top), (right, bottom),
/// color, thickness)` places it: the outline's centre line runs through the two (inclusive) corners, and each
/// side is a band `thickness / 2` pixels either side of it (corners square). Parts outside the picture are
/// clipped.
public struct RectangleOverlay: Sendable, Equatable {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int
    public var thickness: Int
    /// Colour as 8-bit sRGB components.
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(left: Int, top: Int, right: Int, bottom: Int, thickness: Int, red: UInt8, green: UInt8, blue: UInt8) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
        self.thickness = thickness
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The colour in full-range ("JPEG") BT.601 Y, Cb, Cr, as a JPEG decoder turns it back into RGB.
    /// Red (255, 0, 0) is (76, 85, 255).
    public var fullRangeYCbCr: (y: UInt8, cb: UInt8, cr: UInt8) {
        let r = Double(red), g = Double(green), b = Double(blue)
        func clamp(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
        return (clamp(0.299 * r + 0.587 * g + 0.114 * b),
                clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b),
                clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b))
    }

    /// The four filled bands (x0, y0, x1, y1, inclusive) making up the outline, before clipping.
    var bands: [(x0: Int, y0: Int, x1: Int, y1: Int)] {
        let h = max(1, thickness) / 2
        return [
            (left - h, top - h, right + h, top + h),        // top
            (left - h, bottom - h, right + h, bottom + h),  // bottom
            (left - h, top - h, left + h, bottom + h),      // left
            (right - h, top - h, right + h, bottom + h),    // right
        ]
    }

    /// Paints the outline into 8-bit planar 4:2:0 planes of a `width` × `height` picture.
    func draw(y: UnsafeMutablePointer<UInt8>, yStride: Int, cb: UnsafeMutablePointer<UInt8>, cr: UnsafeMutablePointer<UInt8>,
              chromaStride: Int, width: Int, height: Int) {
        let color = fullRangeYCbCr
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        for band in bands {
            let x0 = max(0, band.x0), y0 = max(0, band.y0), x1 = min(width - 1, band.x1), y1 = min(height - 1, band.y1)
            guard x0 <= x1, y0 <= y1 else { continue }
            for row in y0...y1 { (y + row * yStride + x0).update(repeating: color.y, count: x1 - x0 + 1) }
            // Every chroma sample whose 2×2 block touches the band takes the colour.
            let cx0 = x0 / 2, cy0 = y0 / 2, cx1 = min(chromaWidth - 1, x1 / 2), cy1 = min(chromaHeight - 1, y1 / 2)
            for row in cy0...cy1 {
                (cb + row * chromaStride + cx0).update(repeating: color.cb, count: cx1 - cx0 + 1)
                (cr + row * chromaStride + cx0).update(repeating: color.cr, count: cx1 - cx0 + 1)
            }
        }
    }
}
