/// A built-in 5×7 bitmap font (all printable ASCII: digits, letters, punctuation) for burning text into video
/// (`scan -m encode -tc/-fm`). It needs no font file and no text library, and draws the same pixels on every
/// machine. Each glyph is 7 rows of 5 bits (bit 4 is the leftmost column); lower-case descenders are kept
/// inside the 7 rows. Characters it does not have are drawn as `?`.
public enum BitmapFont {
    /// Glyph columns and rows, before scaling.
    public static let glyphWidth = 5
    public static let glyphHeight = 7
    /// Columns from one glyph's left edge to the next one's, before scaling (one blank column between).
    public static let advance = 6

    /// The 7 row masks of `character` (the `?` glyph for characters the font lacks).
    public static func rows(of character: Character) -> [UInt8] {
        glyphs[character] ?? glyphs["?"]!
    }

    /// Width and height in pixels of one line of `text` drawn at integer `scale` (no trailing gap).
    public static func size(of text: String, scale: Int) -> (width: Int, height: Int) {
        let n = text.count
        return (n == 0 ? 0 : (n * advance - 1) * scale, glyphHeight * scale)
    }

    private static let glyphs: [Character: [UInt8]] = {
        var table: [Character: [UInt8]] = [:]
        for (character, picture) in pictures {
            let rows = picture.split(separator: " ").map { row in
                row.reduce(UInt8(0)) { ($0 << 1) | ($1 == "#" ? 1 : 0) }
            }
            precondition(rows.count == glyphHeight && picture.split(separator: " ").allSatisfy { $0.count == glyphWidth },
                         "bad glyph \(character)")
            table[character] = rows
        }
        return table
    }()

    // Each picture: 7 rows of 5 columns, top to bottom, separated by spaces ('#' = ink).
    private static let pictures: [(Character, String)] = [
        (" ", "..... ..... ..... ..... ..... ..... ....."),
        ("0", ".###. #...# #..## #.#.# ##..# #...# .###."),
        ("1", "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("2", ".###. #...# ....# ...#. ..#.. .#... #####"),
        ("3", "##### ...#. ..#.. ...#. ....# #...# .###."),
        ("4", "...#. ..##. .#.#. #..#. ##### ...#. ...#."),
        ("5", "##### #.... ####. ....# ....# #...# .###."),
        ("6", "..##. .#... #.... ####. #...# #...# .###."),
        ("7", "##### ....# ...#. ..#.. .#... .#... .#..."),
        ("8", ".###. #...# #...# .###. #...# #...# .###."),
        ("9", ".###. #...# #...# .#### ....# ...#. .##.."),
        ("A", ".###. #...# #...# ##### #...# #...# #...#"),
        ("B", "####. #...# #...# ####. #...# #...# ####."),
        ("C", ".###. #...# #.... #.... #.... #...# .###."),
        ("D", "###.. #..#. #...# #...# #...# #..#. ###.."),
        ("E", "##### #.... #.... ####. #.... #.... #####"),
        ("F", "##### #.... #.... ####. #.... #.... #...."),
        ("G", ".###. #...# #.... #.### #...# #...# .####"),
        ("H", "#...# #...# #...# ##### #...# #...# #...#"),
        ("I", ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("J", "..### ...#. ...#. ...#. ...#. #..#. .##.."),
        ("K", "#...# #..#. #.#.. ##... #.#.. #..#. #...#"),
        ("L", "#.... #.... #.... #.... #.... #.... #####"),
        ("M", "#...# ##.## #.#.# #.#.# #...# #...# #...#"),
        ("N", "#...# #...# ##..# #.#.# #..## #...# #...#"),
        ("O", ".###. #...# #...# #...# #...# #...# .###."),
        ("P", "####. #...# #...# ####. #.... #.... #...."),
        ("Q", ".###. #...# #...# #...# #.#.# #..#. .##.#"),
        ("R", "####. #...# #...# ####. #.#.. #..#. #...#"),
        ("S", ".#### #.... #.... .###. ....# ....# ####."),
        ("T", "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("U", "#...# #...# #...# #...# #...# #...# .###."),
        ("V", "#...# #...# #...# #...# #...# .#.#. ..#.."),
        ("W", "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."),
        ("X", "#...# #...# .#.#. ..#.. .#.#. #...# #...#"),
        ("Y", "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."),
        ("Z", "##### ....# ...#. ..#.. .#... #.... #####"),
        ("a", "..... ..... .###. ....# .#### #...# .####"),
        ("b", "#.... #.... #.##. ##..# #...# #...# ####."),
        ("c", "..... ..... .###. #.... #.... #...# .###."),
        ("d", "....# ....# .##.# #..## #...# #...# .####"),
        ("e", "..... ..... .###. #...# ##### #.... .###."),
        ("f", "..##. .#..# .#... ###.. .#... .#... .#..."),
        ("g", "..... .#### #...# #...# .#### ....# .###."),
        ("h", "#.... #.... #.##. ##..# #...# #...# #...#"),
        ("i", "..#.. ..... .##.. ..#.. ..#.. ..#.. .###."),
        ("j", "...#. ..... ..##. ...#. ...#. #..#. .##.."),
        ("k", "#.... #.... #..#. #.#.. ##... #.#.. #..#."),
        ("l", ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("m", "..... ..... ##.#. #.#.# #.#.# #...# #...#"),
        ("n", "..... ..... #.##. ##..# #...# #...# #...#"),
        ("o", "..... ..... .###. #...# #...# #...# .###."),
        ("p", "..... ####. #...# #...# ####. #.... #...."),
        ("q", "..... .#### #...# #...# .#### ....# ....#"),
        ("r", "..... ..... #.##. ##..# #.... #.... #...."),
        ("s", "..... ..... .###. #.... .###. ....# ####."),
        ("t", ".#... .#... ###.. .#... .#... .#..# ..##."),
        ("u", "..... ..... #...# #...# #...# #..## .##.#"),
        ("v", "..... ..... #...# #...# #...# .#.#. ..#.."),
        ("w", "..... ..... #...# #...# #.#.# #.#.# .#.#."),
        ("x", "..... ..... #...# .#.#. ..#.. .#.#. #...#"),
        ("y", "..... #...# #...# #...# .#### ....# .###."),
        ("z", "..... ..... ##### ...#. ..#.. .#... #####"),
        (":", "..... .##.. .##.. ..... .##.. .##.. ....."),
        (".", "..... ..... ..... ..... ..... .##.. .##.."),
        (",", "..... ..... ..... ..... .##.. ..#.. .#..."),
        (";", "..... .##.. .##.. ..... .##.. ..#.. .#..."),
        ("-", "..... ..... ..... ##### ..... ..... ....."),
        ("+", "..... ..#.. ..#.. ##### ..#.. ..#.. ....."),
        ("=", "..... ..... ##### ..... ##### ..... ....."),
        ("_", "..... ..... ..... ..... ..... ..... #####"),
        ("/", "..... ....# ...#. ..#.. .#... #.... ....."),
        ("\\", "..... #.... .#... ..#.. ...#. ....# ....."),
        ("(", "...#. ..#.. .#... .#... .#... ..#.. ...#."),
        (")", ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."),
        ("[", ".###. .#... .#... .#... .#... .#... .###."),
        ("]", ".###. ...#. ...#. ...#. ...#. ...#. .###."),
        ("<", "...#. ..#.. .#... #.... .#... ..#.. ...#."),
        (">", ".#... ..#.. ...#. ....# ...#. ..#.. .#..."),
        ("%", "##... ##..# ...#. ..#.. .#... #..## ...##"),
        ("#", ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."),
        ("*", "..... ..#.. #.#.# .###. #.#.# ..#.. ....."),
        ("!", "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."),
        ("?", ".###. #...# ....# ...#. ..#.. ..... ..#.."),
        ("'", "..#.. ..#.. .#... ..... ..... ..... ....."),
        ("\"", ".#.#. .#.#. .#.#. ..... ..... ..... ....."),
        ("@", ".###. #...# ....# .##.# #.#.# #.#.# .###."),
        ("&", ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#"),
        ("|", "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("$", "..#.. .#### #.#.. .###. ..#.# ####. ..#.."),
        ("^", "..#.. .#.#. #...# ..... ..... ..... ....."),
        ("`", ".#... ..#.. ...#. ..... ..... ..... ....."),
        ("{", "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#."),
        ("}", ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#..."),
        ("~", "..... ..... .#... #.#.# ...#. ..... ....."),
    ]
}

/// Text drawn on a picture as dvr-scan's `TextOverlay` lays it out (overlays.py): lines stacked with one
/// line height between them, on a filled background box `margin` pixels from the top and from the left or
/// right edge, the text `border` pixels inside it. dvr-scan's top-right layout is reproduced as it is: its
/// box is `border` pixels narrower than the text block, so the text's first columns stick out to the left.
/// Glyphs come from ``BitmapFont`` at an integer scale (3 for dvr-scan's font scale 1.0: 21-pixel-high
/// glyphs, close to HERSHEY_SIMPLEX's 22). White text on black, as dvr-scan's defaults.
public struct TextOverlay: Sendable, Equatable {
    public enum Corner: Sendable, Equatable { case topLeft, topRight }

    public var lines: [String]
    public var corner: Corner
    /// Glyph scale (pixels per font pixel).
    public var scale: Int
    public var margin: Int
    public var border: Int

    public init(text: String, corner: Corner, scale: Int = 3, margin: Int = 4, border: Int = 4) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        self.corner = corner
        self.scale = max(1, scale)
        self.margin = margin
        self.border = border
    }

    /// The background box (x0, y0, x1, y1 inclusive) and each line's top-left corner, on a `width`-wide picture.
    public func layout(width: Int) -> (box: (x0: Int, y0: Int, x1: Int, y1: Int), origins: [(x: Int, y: Int)]) {
        let sizes = lines.map { BitmapFont.size(of: $0, scale: scale) }
        let lineHeight = sizes.map(\.height).max() ?? 0
        let maxWidth = sizes.map(\.width).max() ?? 0
        let totalHeight = sizes.map(\.height).reduce(0, +) + lineHeight * max(0, lines.count - 1)
        let box: (x0: Int, y0: Int, x1: Int, y1: Int)
        let x: Int
        switch corner {
        case .topLeft:
            box = (margin, margin, margin + maxWidth + 2 * border, margin + totalHeight + 2 * border)
            x = margin + border
        case .topRight:
            box = (max(0, width - (margin + maxWidth)), margin, max(0, width - margin), margin + totalHeight + 2 * border)
            x = max(0, width - (margin + border + maxWidth))
        }
        var y = margin + border
        var origins: [(x: Int, y: Int)] = []
        for size in sizes {
            origins.append((x, y))
            y += size.height + lineHeight
        }
        return (box, origins)
    }
}

/// An 8-bit planar 4:2:0 picture being painted (borrowed planes of a writable frame).
struct PlanarPicture {
    var y: UnsafeMutablePointer<UInt8>
    var yStride: Int
    var cb: UnsafeMutablePointer<UInt8>
    var cr: UnsafeMutablePointer<UInt8>
    var chromaStride: Int
    var width: Int
    var height: Int

    /// Fills the rectangle x0...x1 × y0...y1 (clipped) with one colour; chroma samples whose 2×2 block
    /// touches it take the colour too.
    func fill(x0: Int, y0: Int, x1: Int, y1: Int, color: (y: UInt8, cb: UInt8, cr: UInt8)) {
        let x0 = max(0, x0), y0 = max(0, y0), x1 = min(width - 1, x1), y1 = min(height - 1, y1)
        guard x0 <= x1, y0 <= y1 else { return }
        for row in y0...y1 { (y + row * yStride + x0).update(repeating: color.y, count: x1 - x0 + 1) }
        let cx1 = min((width + 1) / 2 - 1, x1 / 2), cy1 = min((height + 1) / 2 - 1, y1 / 2)
        for row in (y0 / 2)...cy1 {
            (cb + row * chromaStride + x0 / 2).update(repeating: color.cb, count: cx1 - x0 / 2 + 1)
            (cr + row * chromaStride + x0 / 2).update(repeating: color.cr, count: cx1 - x0 / 2 + 1)
        }
    }

    /// Draws `overlay` (background box, then the glyphs).
    func draw(_ overlay: TextOverlay, ink: (y: UInt8, cb: UInt8, cr: UInt8), background: (y: UInt8, cb: UInt8, cr: UInt8)) {
        let (box, origins) = overlay.layout(width: width)
        fill(x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1, color: background)
        let s = overlay.scale
        for (line, origin) in zip(overlay.lines, origins) {
            var x = origin.x
            for character in line {
                let rows = BitmapFont.rows(of: character)
                for (r, bits) in rows.enumerated() where bits != 0 {
                    for c in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(c)) != 0 {
                        let px = x + c * s, py = origin.y + r * s
                        fill(x0: px, y0: py, x1: px + s - 1, y1: py + s - 1, color: ink)
                    }
                }
                x += BitmapFont.advance * s
            }
        }
    }

    /// Draws the outline `rectangle` in `color`.
    func draw(_ rectangle: RectangleOverlay, color: (y: UInt8, cb: UInt8, cr: UInt8)) {
        for band in rectangle.bands { fill(x0: band.x0, y0: band.y0, x1: band.x1, y1: band.y1, color: color) }
    }
}

extension RectangleOverlay {
    /// The colour in limited-range ("TV", 16–235) BT.601 Y, Cb, Cr, as a video decoder turns it back into RGB.
    /// Red (255, 0, 0) is (81, 90, 240).
    public var limitedRangeYCbCr: (y: UInt8, cb: UInt8, cr: UInt8) {
        Self.limitedRange(red: red, green: green, blue: blue)
    }

    static func limitedRange(red: UInt8, green: UInt8, blue: UInt8) -> (y: UInt8, cb: UInt8, cr: UInt8) {
        let r = Double(red) / 255, g = Double(green) / 255, b = Double(blue) / 255
        func clamp(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
        return (clamp(16 + 65.481 * r + 128.553 * g + 24.966 * b),
                clamp(128 - 37.797 * r - 74.203 * g + 112 * b),
                clamp(128 + 112 * r - 93.786 * g - 18.214 * b))
    }
}
