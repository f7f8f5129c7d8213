import Yams

/// Turns the option keys of `defaults` and of a camera (dvr-scan's detection keys, `regions`,
/// `rtsp-transport`, `input-options`, `container`, `thumbnails`) into ``ScanOptions``, checking each key on its own so
/// that every bad key is reported.
struct CameraOptionsBuilder {
    private(set) var options = ScanOptions()
    private(set) var container = ClipContainer.mp4

    mutating func apply(_ pair: (key: String, path: String, value: Node), reader: inout ConfigNodeReader) {
        switch pair.key {
        case "regions":
            if let regions = Self.regions(pair.value, at: pair.path, reader: &reader) { options.detector.regions = regions }
        case "rtsp-transport":
            guard let text = reader.string(pair.value, at: pair.path) else { return }
            guard ["tcp", "udp"].contains(text.lowercased()) else {
                reader.report(pair.path, pair.value, "expected tcp or udp, got '\(text)'")
                return
            }
            options.demuxer.rtspTransport = text.lowercased()
        case "input-options":
            guard let items = reader.mapping(pair.value, at: pair.path, known: Self.anyKey(pair.value)) else { return }
            for item in items {
                if let text = reader.string(item.value, at: item.path) { options.demuxer.formatOptions[item.key] = text }
            }
        case "thumbnails":
            if let value = reader.bool(pair.value, at: pair.path) { options.thumbnails = value }
        case "container":
            guard let text = reader.string(pair.value, at: pair.path) else { return }
            guard let value = ClipContainer(rawValue: text.lowercased()) else {
                reader.report(pair.path, pair.value, "expected mp4 or mkv, got '\(text)'")
                return
            }
            container = value
        default:
            guard let text = reader.string(pair.value, at: pair.path) else { return }
            // Each key is checked alone (on default options) so one bad key does not hide another.
            var alone = ScanOptions()
            do {
                try DvrScanConfigFile.apply(key: pair.key, value: text, to: &alone)
                try alone.validate()
                try DvrScanConfigFile.apply(key: pair.key, value: text, to: &options)
            } catch let error as ConfigFileError {
                reader.report(pair.path, pair.value, error.description)
            } catch let error as MotionOptionError {
                reader.report(pair.path, pair.value, error.message)
            } catch {
                reader.report(pair.path, pair.value, "\(error)")
            }
        }
    }

    /// Every key a mapping has (for free-form mappings such as FFmpeg options).
    private static func anyKey(_ node: Node) -> Set<String> {
        Set(node.mapping?.keys.compactMap { $0.scalar?.string } ?? [])
    }

    /// `regions:` a list of `{name, threshold, points}`; points are `[[x, y], …]` or `"x0 y0 x1 y1 …"`.
    static func regions(_ node: Node, at path: String, reader: inout ConfigNodeReader) -> [Region]? {
        guard let items = reader.sequence(node, at: path) else { return nil }
        var regions: [Region] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let pairs = reader.mapping(item, at: itemPath, known: ["name", "threshold", "points"]) else { continue }
            var name: String?
            var threshold: Double?
            var points: [PolygonPoint]?
            for pair in pairs {
                switch pair.key {
                case "name": name = reader.nonEmptyString(pair.value, at: pair.path)
                case "threshold": threshold = reader.number(pair.value, at: pair.path, in: 0...Double.greatestFiniteMagnitude)
                default: points = polygon(pair.value, at: pair.path, reader: &reader)
                }
            }
            guard pairs.contains(where: { $0.key == "points" }) else {
                reader.report("\(itemPath).points", item, "missing: the polygon's points")
                continue
            }
            if let points { regions.append(Region(name: name, points: points, threshold: threshold)) }
        }
        return regions
    }

    private static func polygon(_ node: Node, at path: String, reader: inout ConfigNodeReader) -> [PolygonPoint]? {
        var numbers: [String] = []
        if let items = node.sequence {
            for item in items {
                if let pair = item.sequence { numbers += pair.compactMap { $0.scalar?.string } } else if let s = item.scalar {
                    numbers.append(s.string)
                }
            }
        } else if let text = reader.string(node, at: path) {
            numbers = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        } else {
            return nil
        }
        do {
            return try RegionFile.polygon(numbers, context: "points").points
        } catch {
            reader.report(path, node, error.description.replacingOccurrences(of: "points: ", with: ""))
            return nil
        }
    }
}
