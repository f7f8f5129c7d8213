/// A dvr-scan time value (`-l`, `-tb`, `-tp`, `-st`, `-et`, `-dt`; DVR-SCAN.md §4.1).
public enum TimeSpec: Sendable, Equatable {
    /// An exact frame count (`"25"`).
    case frames(Int)
    /// Seconds (`"1.5s"`, `"00:00:01.500"`, or a bare `"1.5"` in config files).
    case seconds(Double)

    /// Parses `"N"`, `"N[.N]s"` or `"HH:MM:SS[.nnn]"` the way scenedetect's `FrameTimecode` does.
    ///
    /// - Parameter allowBareSeconds: accept `"1.5"` as seconds (config-file syntax).
    /// - Throws: `MotionOptionError` with option `time` for anything else.
    public static func parse(_ text: String, allowBareSeconds: Bool = false) throws(MotionOptionError) -> TimeSpec {
        let value = text.trimmingWhitespace()
        func fail(_ why: String) -> MotionOptionError {
            MotionOptionError(option: "time", message: "\(why): \"\(text)\"")
        }
        if !value.isEmpty && value.allSatisfy(\.isASCIIDigit) {
            guard let frames = Int(value) else { throw fail("frame count out of range") }
            return .frames(frames)
        }
        if value.contains(":") {
            let parts = value.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3,
                  parts[0].count > 0, parts[0].allSatisfy(\.isASCIIDigit), let hours = Int(parts[0]),
                  parts[1].count > 0, parts[1].allSatisfy(\.isASCIIDigit), let minutes = Int(parts[1]),
                  let seconds = decimal(parts[2]) else {
                throw fail("expected HH:MM:SS[.nnn]")
            }
            guard minutes < 60 && seconds < 60 else { throw fail("minutes and seconds must be below 60") }
            return .seconds(seconds + Double(hours * 3600 + minutes * 60))
        }
        var number = Substring(value)
        if number.hasSuffix("s") {
            number = number.dropLast()
        } else if !allowBareSeconds {
            throw fail("expected frames (N), seconds (N.Ns) or HH:MM:SS[.nnn]")
        }
        guard let seconds = decimal(number) else { throw fail("invalid seconds") }
        return .seconds(seconds)
    }

    /// The value in frames at `fps`: seconds become `round(seconds * fps)`, half to even like Python.
    public func frames(fps: Double) -> Int {
        switch self {
        case .frames(let count):
            return count
        case .seconds(let seconds):
            return Int((seconds * fps).rounded(.toNearestOrEven))
        }
    }

    /// Digits with at most one decimal point and at least one digit.
    private static func decimal(_ text: Substring) -> Double? {
        let digits = text.filter { $0 != "." }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), text.count - digits.count <= 1 else {
            return nil
        }
        return Double(text.hasPrefix(".") ? "0" + text : String(text))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view = view.dropFirst() }
        while view.last?.isWhitespace == true { view = view.dropLast() }
        return view
    }
}
