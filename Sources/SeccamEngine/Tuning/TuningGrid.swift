import Foundation

/// One dvr-scan option that a tuning grid can vary (`--grid "KEY=VALUES;…"`), named as in dvr-scan's
/// config file.
public enum TuningKey: String, CaseIterable, Sendable, Codable {
    case threshold
    case kernelSize = "kernel-size"
    case downscaleFactor = "downscale-factor"
    case minEventLength = "min-event-length"
    case timeBeforeEvent = "time-before-event"
    case timePostEvent = "time-post-event"
    case frameSkip = "frame-skip"
    case bgSubtractor = "bg-subtractor"
    case varianceThreshold = "variance-threshold"
    case learningRate = "learning-rate"
    case maxThreshold = "max-threshold"
    case maxArea = "max-area"

    enum Kind { case decimal, integer, time, subtractor }

    var kind: Kind {
        switch self {
        case .threshold, .varianceThreshold, .learningRate, .maxThreshold, .maxArea: .decimal
        case .kernelSize, .downscaleFactor, .frameSkip: .integer
        case .minEventLength, .timeBeforeEvent, .timePostEvent: .time
        case .bgSubtractor: .subtractor
        }
    }

    /// Whether the key changes the per-frame scores (so each value needs its own detector run). The others
    /// (threshold, min-event-length, time-before/post-event) only change the event state machine.
    /// Frame skip counts as score-changing because it changes which frames the detector sees.
    public var affectsScores: Bool {
        switch self {
        case .threshold, .minEventLength, .timeBeforeEvent, .timePostEvent: false
        default: true
        }
    }

    /// `seccam-engine scan`'s flag for the key, or nil when dvr-scan has it only in config files.
    public var scanFlag: String? {
        switch self {
        case .threshold: "-t"
        case .kernelSize: "-k"
        case .downscaleFactor: "-df"
        case .minEventLength: "-l"
        case .timeBeforeEvent: "-tb"
        case .timePostEvent: "-tp"
        case .frameSkip: "-fs"
        case .bgSubtractor: "-b"
        case .varianceThreshold, .learningRate, .maxThreshold, .maxArea: nil
        }
    }
}

/// One value of a grid key, kept as the text the user would pass to `scan` (so `0.1` stays `0.1`).
public struct TuningValue: Sendable, Hashable, CustomStringConvertible {
    /// The value as written on a `scan` command line or in a config file.
    public let text: String
    private let payload: Payload

    private enum Payload: Sendable, Hashable {
        case number(Double)
        case integer(Int)
        case time(frames: Int?, seconds: Double?)
        case subtractor(SubtractorKind)
    }

    public var description: String { text }

    /// Parses `text` as a value of `key`, checked the way `scan` checks it.
    init(key: TuningKey, text: String) throws(TuningGridError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> TuningGridError { TuningGridError(key: key.rawValue, "bad value '\(text)': \(why)") }
        guard !text.isEmpty else { throw TuningGridError(key: key.rawValue, "empty value in the list") }
        switch key.kind {
        case .decimal:
            guard let v = Double(text), v.isFinite else { throw bad("expected a number") }
            self.text = text
            payload = .number(v)
        case .integer:
            guard let v = Int(text) else { throw bad("expected a whole number") }
            self.text = text
            payload = .integer(v)
        case .time:
            let spec: TimeSpec
            do { spec = try TimeSpec.parse(text) } catch { throw bad(error.message) }
            self.text = text
            switch spec {
            case .frames(let f): payload = .time(frames: f, seconds: nil)
            case .seconds(let s): payload = .time(frames: nil, seconds: s)
            }
        case .subtractor:
            guard let kind = SubtractorKind.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw bad("expected MOG2 or CNT")
            }
            self.text = kind.rawValue
            payload = .subtractor(kind)
        }
        var probe = ScanOptions()
        apply(key, to: &probe)
        do { try probe.validate() } catch { throw bad(error.message) }
    }

    /// Sets `key` of `options` to this value.
    func apply(_ key: TuningKey, to options: inout ScanOptions) {
        switch (key, payload) {
        case (.threshold, .number(let v)): options.detector.threshold = v
        case (.varianceThreshold, .number(let v)): options.detector.varianceThreshold = v
        case (.learningRate, .number(let v)): options.detector.learningRate = v
        case (.maxThreshold, .number(let v)): options.detector.maxThreshold = v
        case (.maxArea, .number(let v)): options.detector.maxArea = v
        case (.kernelSize, .integer(let v)): options.detector.kernelSize = v
        case (.downscaleFactor, .integer(let v)): options.detector.downscaleFactor = v
        case (.frameSkip, .integer(let v)): options.frameSkip = v
        case (.bgSubtractor, .subtractor(let kind)): options.detector.subtractor = kind
        case (.minEventLength, .time(let f, let s)): options.minEventLength = f.map(TimeSpec.frames) ?? .seconds(s!)
        case (.timeBeforeEvent, .time(let f, let s)): options.timeBeforeEvent = f.map(TimeSpec.frames) ?? .seconds(s!)
        case (.timePostEvent, .time(let f, let s)): options.timePostEvent = f.map(TimeSpec.frames) ?? .seconds(s!)
        default: preconditionFailure("TuningValue: \(payload) is not a value of \(key.rawValue)")
        }
    }
}

/// A key and its value within one setting.
public struct TuningAssignment: Sendable, Hashable {
    public let key: TuningKey
    public let value: TuningValue
}

/// One combination of the grid: a value for every grid key, applied on top of the base options.
public struct TuningSetting: Sendable, Hashable, CustomStringConvertible {
    /// In the order the keys appear in the grid.
    public let assignments: [TuningAssignment]

    /// The value of `key`, if the grid varies it.
    public subscript(key: TuningKey) -> TuningValue? {
        assignments.first { $0.key == key }?.value
    }

    /// `base` with this setting's values.
    public func applied(to base: ScanOptions) -> ScanOptions {
        var options = base
        for a in assignments { a.value.apply(a.key, to: &options) }
        return options
    }

    /// `threshold=0.1 kernel-size=3 …`
    public var description: String {
        assignments.map { "\($0.key.rawValue)=\($0.value.text)" }.joined(separator: " ")
    }

    /// The `scan` flags of the keys that have one (`["-t", "0.1", "-k", "3"]`).
    public var scanArguments: [String] {
        assignments.flatMap { a in a.key.scanFlag.map { [$0, a.value.text] } ?? [] }
    }

    /// `key = value` lines for the keys dvr-scan accepts only in a config file.
    public var configOnlyLines: [String] {
        assignments.filter { $0.key.scanFlag == nil }.map { "\($0.key.rawValue) = \($0.value.text)" }
    }
}

/// A parsed `--grid`: for each key, the values to try; the settings are every combination.
///
/// Syntax: `KEY=VALUES` parts separated by `;`. VALUES is a comma list whose items are single values or
/// inclusive ranges `START:STOP:STEP`. Ranges are computed in decimal (0.05:0.5:0.05 gives exactly the
/// ten values 0.05, 0.1, …, 0.5). For the time keys (min-event-length, time-before-event, time-post-event)
/// a range must give every bound in seconds (`0.1s:1s:0.1s`), since a bare `A:B:C` is a `HH:MM:SS`
/// timecode; single time values take `scan`'s forms (frames `4`, seconds `0.5s`, `HH:MM:SS[.nnn]`).
public struct TuningGrid: Sendable {
    /// The most settings a grid may have.
    public static let maxCombinations = 2000

    /// Keys in the order given, each with its values (duplicates removed, order kept).
    public let axes: [(key: TuningKey, values: [TuningValue])]

    /// Parses a `--grid` text.
    /// - Throws: ``TuningGridError`` naming the key and the problem.
    public init(parsing text: String) throws(TuningGridError) {
        var axes: [(key: TuningKey, values: [TuningValue])] = []
        let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw TuningGridError(key: nil, "the grid is empty; expected KEY=VALUES;KEY=VALUES…") }
        for part in parts {
            guard let eq = part.firstIndex(of: "=") else {
                throw TuningGridError(key: nil, "'\(part)': expected KEY=VALUES")
            }
            let name = part[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            guard let key = TuningKey(rawValue: name) else {
                throw TuningGridError(key: nil, "unknown key '\(name)' (known: \(TuningKey.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !axes.contains(where: { $0.key == key }) else { throw TuningGridError(key: name, "given twice") }
            let list = part[part.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !list.isEmpty else { throw TuningGridError(key: name, "empty list of values") }
            var values: [TuningValue] = []
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                let item = item.trimmingCharacters(in: .whitespaces)
                guard !item.isEmpty else { throw TuningGridError(key: name, "empty value in the list '\(list)'") }
                for text in try Self.expand(item, key: key) {
                    let value = try TuningValue(key: key, text: text)
                    if !values.contains(value) { values.append(value) }
                    guard values.count <= Self.maxCombinations else {
                        throw TuningGridError(key: name, "more than \(Self.maxCombinations) values")
                    }
                }
            }
            axes.append((key, values))
        }
        let count = axes.reduce(1) { $0 * $1.values.count }
        guard count <= Self.maxCombinations else {
            throw TuningGridError(key: nil, "\(count) combinations (\(axes.map { "\($0.values.count) \($0.key.rawValue)" }.joined(separator: " × "))) is more than the limit of \(Self.maxCombinations)")
        }
        self.axes = axes
    }

    /// Every combination, the first key varying slowest.
    public var settings: [TuningSetting] {
        var result: [[TuningAssignment]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.values.map { prefix + [TuningAssignment(key: axis.key, value: $0)] } }
        }
        return result.map(TuningSetting.init)
    }

    /// The value texts of one list item: itself, or the values of a `START:STOP:STEP` range.
    private static func expand(_ item: String, key: TuningKey) throws(TuningGridError) -> [String] {
        guard item.contains(":") else { return [item] }
        var bounds = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var unit = ""
        switch key.kind {
        case .subtractor:
            throw TuningGridError(key: key.rawValue, "'\(item)': ranges are not possible here; list the values")
        case .time:
            // HH:MM:SS is a single value; a range has every bound in seconds.
            guard bounds.count == 3, bounds.allSatisfy({ $0.hasSuffix("s") }) else {
                if bounds.count == 3, bounds.contains(where: { $0.hasSuffix("s") }) {
                    throw TuningGridError(key: key.rawValue, "range '\(item)': give every bound in seconds (e.g. 0.1s:1s:0.1s)")
                }
                return [item]
            }
            bounds = bounds.map { String($0.dropLast()) }
            unit = "s"
        case .decimal, .integer:
            break
        }
        guard bounds.count == 3 else {
            throw TuningGridError(key: key.rawValue, "range '\(item)': expected START:STOP:STEP")
        }
        var parsed: [FixedDecimal] = []
        for (name, text) in zip(["start", "stop", "step"], bounds) {
            guard let d = FixedDecimal(text) else {
                throw TuningGridError(key: key.rawValue, "range '\(item)': bad \(name) '\(text)' (expected a number)")
            }
            if key.kind == .integer, d.decimals > 0 {
                throw TuningGridError(key: key.rawValue, "range '\(item)': bad \(name) '\(text)' (expected a whole number)")
            }
            parsed.append(d)
        }
        let decimals = parsed.map(\.decimals).max()!
        let scaled = parsed.map { $0.scaled(to: decimals) }
        guard let start = scaled[0], let stop = scaled[1], let step = scaled[2] else {
            throw TuningGridError(key: key.rawValue, "range '\(item)': numbers too long")
        }
        guard step > 0 else { throw TuningGridError(key: key.rawValue, "range '\(item)': step must be > 0, got \(bounds[2])\(unit)") }
        guard stop >= start else {
            throw TuningGridError(key: key.rawValue, "range '\(item)': stop \(bounds[1])\(unit) is less than start \(bounds[0])\(unit)")
        }
        let count = (stop - start) / step + 1
        guard count <= maxCombinations else {
            throw TuningGridError(key: key.rawValue, "range '\(item)' has \(count) values, more than the limit of \(maxCombinations)")
        }
        return (0..<count).map { FixedDecimal.format(start + $0 * step, decimals: decimals) + unit }
    }
}

/// A bad `--grid`, naming the key when there is one.
public struct TuningGridError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The grid key at fault, or nil for a problem with the grid as a whole.
    public var key: String?
    public var message: String

    public init(key: String?, _ message: String) {
        self.key = key
        self.message = message
    }

    /// `grid: key 'threshold': range '0.5:0.1:0.1': stop 0.1 is less than start 0.5`
    public var description: String { key.map { "grid: key '\($0)': \(message)" } ?? "grid: \(message)" }
}

/// A decimal number as an integer mantissa and a count of decimals, so that ranges have no float drift.
private struct FixedDecimal {
    var mantissa: Int
    var decimals: Int

    /// `-12`, `0.05`, `.5`, `3.`; nil for anything else (exponents included).
    init?(_ text: String) {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let pieces = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = pieces[0], fraction = pieces.count > 1 ? pieces[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), (whole + fraction).allSatisfy({ ("0"..."9").contains($0) }),
              whole.count + fraction.count <= 15, let m = Int(whole + fraction) else { return nil }
        mantissa = negative ? -m : m
        decimals = fraction.count
    }

    func scaled(to target: Int) -> Int? {
        var m = mantissa
        for _ in decimals..<target {
            let (r, overflow) = m.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            m = r
        }
        return m
    }

    /// `mantissa / 10^decimals` as text without trailing zeros (`10, 2` → `0.1`).
    static func format(_ mantissa: Int, decimals: Int) -> String {
        guard decimals > 0 else { return String(mantissa) }
        var digits = String(mantissa.magnitude)
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
        var whole = String(digits.dropLast(decimals))
        var fraction = String(digits.suffix(decimals))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if whole.isEmpty { whole = "0" }
        return (mantissa < 0 ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
