import Foundation
import SeccamMotion
import XCTest

/// Locates committed known-answer data (`Fixtures/expected/motion`, made by its `generate.py`).
enum Fixtures {
    /// The repository root: the nearest ancestor of this file holding `Package.swift`.
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static func url(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Fixtures/expected/motion").appendingPathComponent(name)
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Rows of `"0101…"` strings as a 0/255 byte mask.
    static func mask(_ rows: [String]) -> [UInt8] {
        rows.flatMap { $0.map { $0 == "1" ? UInt8(255) : 0 } }
    }

    /// 64-bit FNV-1a, as `generate.py` hashes masks.
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The deterministic scene of `generate.py` (`Scene`): LCG noise, a gradient, moving objects,
/// a lighting change from frame 150 to 229 and sparse inverted pixels.
struct SyntheticScene {
    let width: Int
    let height: Int
    private var state: UInt32

    init(width: Int, height: Int, seed: UInt32) {
        self.width = width
        self.height = height
        state = seed
    }

    private mutating func random() -> Int {
        state = state &* 1_664_525 &+ 1_013_904_223
        return Int(state >> 24)
    }

    /// Frame `f`; frames must be requested in order (the noise generator runs on).
    mutating func frame(_ f: Int) -> GrayImage {
        var pixels = [UInt8](repeating: 0, count: width * height)
        let bx = (f * 2) % (width + 10) - 10
        let by = height / 4 + (f / 40) % 3
        let oy = (f * 3) % (height + 8) - 8
        let light = (150..<230).contains(f) ? 30 : 0
        for y in 0..<height {
            for x in 0..<width {
                var v = 60 + (x * 3 + y * 2) % 100 + light + random() % 9 - 4
                if bx <= x && x < bx + 8 && by <= y && y < by + 6 {
                    v = 210 - (x - bx) * 4
                }
                if width / 2 <= x && x < width / 2 + 4 && oy <= y && y < oy + 5 && f % 7 != 0 {
                    v = 20
                }
                if (x * 7 + y * 13 + f) % 97 == 0 {
                    v = 255 - v
                }
                pixels[y * width + x] = UInt8(max(0, min(255, v)))
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }
}
