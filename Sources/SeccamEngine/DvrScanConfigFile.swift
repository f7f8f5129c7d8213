import Foundation

/// A dvr-scan config file (`-c FILE`): `key = value` lines, no sections, `#`/`;` comments
/// (DVR-SCAN.md §5.5). Detection keys are applied to ``ScanOptions``; the output and overlay keys dvr-scan
/// knows are accepted and kept in ``values``; unknown keys are errors naming the key and line.
public struct DvrScanConfigFile: Sendable {
    /// Every key = value pair, keys lower-cased.
    public private(set) var values: [String: String] = [:]

    /// All keys dvr-scan 1.8.2.1 accepts.
    public static let knownKeys: Set<String> = [
        "quiet-mode", "ffmpeg-input-args", "ffmpeg-output-args", "input-mode", "opencv-codec", "output-dir",
        "open-output-dir", "output-mode", "region-editor", "scan-only", "min-event-length", "time-before-event",
        "time-post-event", "use-pts", "bg-subtractor", "threshold", "max-threshold", "max-area", "max-width",
        "max-height", "variance-threshold", "learning-rate", "kernel-size", "downscale-factor", "load-region",
        "region-of-interest", "frame-skip", "time-code", "frame-metrics", "text-border", "text-margin",
        "text-font-scale", "text-font-thickness", "text-font-color", "text-bg-color", "bounding-box",
        "bounding-box-smooth-time", "bounding-box-color", "bounding-box-thickness", "bounding-box-min-size",
        "thumbnails", "verbosity", "save-log", "max-log-size", "max-log-files", "debug",
    ]

    /// Parses `text` read from `path` (used in error messages).
    public init(text: String, path: String) throws(ConfigFileError) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let at = "\(path):\(number + 1)"
            if line.hasPrefix("[") { throw ConfigFileError("\(at): sections are not allowed in a dvr-scan config file (\(line))") }
            guard let eq = line.firstIndex(of: "=") else { throw ConfigFileError("\(at): expected 'key = value', got '\(line)'") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard Self.knownKeys.contains(key) else { throw ConfigFileError("\(at): unknown config key '\(key)'") }
            values[key] = value
        }
    }

    /// Reads and parses the file at `path`.
    public init(path: String) throws(ConfigFileError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigFileError("\(path): cannot read config file (\(error.localizedDescription))")
        }
        try self.init(text: text, path: path)
    }

    /// Applies the detection keys to `options` (the CLI applies its own flags afterwards, so they win).
    public func apply(to options: inout ScanOptions) throws(ConfigFileError) {
        func number(_ key: String) throws(ConfigFileError) -> Double? {
            guard let text = values[key] else { return nil }
            guard let v = Double(text) else { throw ConfigFileError("config key '\(key)': expected a number, got '\(text)'") }
            return v
        }
        func integer(_ key: String) throws(ConfigFileError) -> Int? {
            guard let text = values[key] else { return nil }
            guard let v = Int(text) else { throw ConfigFileError("config key '\(key)': expected a whole number, got '\(text)'") }
            return v
        }
        func time(_ key: String) throws(ConfigFileError) -> TimeSpec? {
            guard let text = values[key] else { return nil }
            do { return try TimeSpec.parse(text, allowBareSeconds: true) } catch {
                throw ConfigFileError("config key '\(key)': \(error.message)")
            }
        }
        if let v = try number("threshold") { options.detector.threshold = v }
        if let v = try number("max-threshold") { options.detector.maxThreshold = v }
        if let v = try number("max-area") { options.detector.maxArea = v }
        if let v = try number("max-width") { options.detector.maxWidth = v }
        if let v = try number("max-height") { options.detector.maxHeight = v }
        if let v = try number("variance-threshold") { options.detector.varianceThreshold = v }
        if let v = try number("learning-rate") { options.detector.learningRate = v }
        if let v = try integer("kernel-size") { options.detector.kernelSize = v }
        if let v = try integer("downscale-factor") { options.detector.downscaleFactor = v }
        if let v = try integer("frame-skip") { options.frameSkip = v }
        if let v = try time("min-event-length") { options.minEventLength = v }
        if let v = try time("time-before-event") { options.timeBeforeEvent = v }
        if let v = try time("time-post-event") { options.timePostEvent = v }
        if let text = values["bg-subtractor"] {
            guard let kind = SubtractorKind.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw ConfigFileError("config key 'bg-subtractor': expected MOG2 or CNT, got '\(text)'")
            }
            options.detector.subtractor = kind
        }
        if let path = values["load-region"], !path.isEmpty {
            do { options.detector.regions += try RegionFile.load(path: path) } catch {
                throw ConfigFileError("config key 'load-region': \(error.description)")
            }
        }
    }
}

/// A problem in a config file, naming the file, line or key.
public struct ConfigFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
