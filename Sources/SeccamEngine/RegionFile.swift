import Foundation

/// dvr-scan's region files (`-R FILE`): one polygon per line as non-negative integers "x y x y …";
/// the characters `, / ( ) [ ]` count as spaces (DVR-SCAN.md §1.3).
public enum RegionFile {
    /// Parses polygons from text; `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws(ConfigFileError) -> [Region] {
        var regions: [Region] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let cleaned = line.map { ",/()[]".contains($0) ? " " : $0 }
            let tokens = String(cleaned).split(whereSeparator: \.isWhitespace)
            if tokens.isEmpty { continue }
            regions.append(try polygon(tokens.map(String.init), context: "\(source):\(number + 1)"))
        }
        return regions
    }

    /// Reads and parses a region file.
    public static func load(path: String) throws(ConfigFileError) -> [Region] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigFileError("\(path): cannot read region file (\(error.localizedDescription))")
        }
        return try parse(text, source: path)
    }

    /// Regions in the file format as dvr-scan's `-s` writes them: one polygon per line, "x y x y …", each point
    /// clamped to the `width` × `height` picture (the format has no names or thresholds).
    public static func text(_ regions: [Region], width: Int, height: Int) -> String {
        regions.map { region in
            region.clamped(width: width, height: height).map { "\($0.x) \($0.y)" }.joined(separator: " ") + "\n"
        }.joined()
    }

    /// Writes `regions`, clamped to the `width` × `height` picture, to `path` (replacing it).
    public static func save(_ regions: [Region], width: Int, height: Int, to path: String) throws(ConfigFileError) {
        do { try text(regions, width: width, height: height).write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw ConfigFileError("\(path): cannot write region file (\(error.localizedDescription))")
        }
    }

    /// A polygon from "x y x y …" tokens: non-negative integers, an even count, at least 3 points.
    public static func polygon(_ tokens: [String], context: String, name: String? = nil, threshold: Double? = nil)
        throws(ConfigFileError) -> Region
    {
        var values: [Int] = []
        for token in tokens {
            guard let v = Int(token), v >= 0 else {
                throw ConfigFileError("\(context): region coordinates must be non-negative integers, got '\(token)'")
            }
            values.append(v)
        }
        guard values.count % 2 == 0 else { throw ConfigFileError("\(context): region needs x y pairs, got \(values.count) numbers") }
        guard values.count >= 6 else {
            throw ConfigFileError("\(context): a region polygon needs at least 3 points, got \(values.count / 2)")
        }
        let points = Swift.stride(from: 0, to: values.count, by: 2).map { PolygonPoint(x: values[$0], y: values[$0 + 1]) }
        return Region(name: name, points: points, threshold: threshold)
    }
}
