import Foundation

/// A dvr-scan config file (`-c FILE`): `key = value` lines, no sections, `#`/`;` comments
/// (DVR-SCAN.md §5.5). Detection keys are applied to ``ScanOptions``; the output keys (``outputKeys``) are read by
/// the `scan` command; the other keys dvr-scan knows are accepted and kept in ``values``; unknown keys are errors
/// naming the key and line.
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
        // Keys that would change dvr-scan's results in a way we do not reproduce are refused, not ignored.
        if let usePTS = try flag("use-pts") { options.usePresentationTimes = usePTS }
        if let mode = values["input-mode"], mode.lowercased() != "opencv" {
            throw ConfigFileError("config key 'input-mode': only opencv (dvr-scan's default decoding) is reproduced, not '\(mode)'")
        }
        for key in Self.detectionKeys {
            guard let value = values[key] else { continue }
            do { try Self.apply(key: key, value: value, to: &options) } catch {
                throw ConfigFileError("config key '\(key)': \(error.description)")
            }
        }
    }

    /// A yes/no key's value (`yes`, `true`, `on`, `1` or `no`, `false`, `off`, `0`, any case); nil when absent.
    public func flag(_ key: String) throws(ConfigFileError) -> Bool? {
        guard let text = values[key] else { return nil }
        switch text.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: throw ConfigFileError("config key '\(key)': expected yes or no, got '\(text)'")
        }
    }

    /// The output keys a scan takes from the file when its command line does not set them (dvr-scan's output
    /// options); the drawing style keys (`text-*`, `bounding-box-color`, …) are accepted but not used.
    public static let outputKeys = [
        "scan-only", "quiet-mode", "output-dir", "output-mode", "thumbnails", "bounding-box", "bounding-box-smooth-time",
        "time-code", "frame-metrics",
    ]

    /// The keys ``apply(key:value:to:)`` understands, in the order they are applied.
    public static let detectionKeys = [
        "threshold", "max-threshold", "max-area", "max-width", "max-height", "variance-threshold", "learning-rate",
        "kernel-size", "downscale-factor", "frame-skip", "min-event-length", "time-before-event", "time-post-event",
        "bg-subtractor", "load-region", "region-of-interest",
    ]

    /// Applies one detection key given as text (dvr-scan's value forms); the error says what is wrong with
    /// the value, without the key.
    public static func apply(key: String, value text: String, to options: inout ScanOptions) throws(ConfigFileError) {
        func number() throws(ConfigFileError) -> Double {
            guard let v = Double(text) else { throw ConfigFileError("expected a number, got '\(text)'") }
            return v
        }
        func integer() throws(ConfigFileError) -> Int {
            guard let v = Int(text) else { throw ConfigFileError("expected a whole number, got '\(text)'") }
            return v
        }
        func time() throws(ConfigFileError) -> TimeSpec {
            do { return try TimeSpec.parse(text, allowBareSeconds: true) } catch { throw ConfigFileError(error.message) }
        }
        switch key {
        case "threshold": options.detector.threshold = try number()
        case "max-threshold": options.detector.maxThreshold = try number()
        case "max-area": options.detector.maxArea = try number()
        case "max-width": options.detector.maxWidth = try number()
        case "max-height": options.detector.maxHeight = try number()
        case "variance-threshold": options.detector.varianceThreshold = try number()
        case "learning-rate": options.detector.learningRate = try number()
        case "kernel-size": options.detector.kernelSize = try integer()
        case "downscale-factor": options.detector.downscaleFactor = try integer()
        case "frame-skip": options.frameSkip = try integer()
        case "min-event-length": options.minEventLength = try time()
        case "time-before-event": options.timeBeforeEvent = try time()
        case "time-post-event": options.timePostEvent = try time()
        case "bg-subtractor":
            guard let kind = SubtractorKind.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw ConfigFileError("expected MOG2 or CNT, got '\(text)'")
            }
            options.detector.subtractor = kind
        case "load-region":
            guard !text.isEmpty else { return }
            do { options.detector.regions += try RegionFile.load(path: text) } catch { throw ConfigFileError(error.description) }
        case "region-of-interest":
            // dvr-scan's deprecated rectangle, as -roi: X Y W H, with commas, slashes and parentheses ignored.
            let words = String(text.map { ",/()".contains($0) ? " " : $0 }).split(separator: " ")
            let v = words.compactMap { Int($0) }
            guard v.count == 4, words.count == 4, v.allSatisfy({ $0 >= 0 }) else {
                throw ConfigFileError("expected a rectangle X Y W H (e.g. 200,250 50,100), got '\(text)'")
            }
            options.detector.regions.append(.rectangle(x: v[0], y: v[1], width: v[2], height: v[3]))
        default:
            throw ConfigFileError("not a detection key")
        }
    }
}

/// A problem in a config file, naming the file, line or key.
public struct ConfigFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
