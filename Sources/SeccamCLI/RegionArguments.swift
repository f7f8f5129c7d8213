import ArgumentParser
import SeccamEngine

/// dvr-scan's multi-value region options (`-a X0 Y0 X1 Y1 …`, `-roi X Y W H`) and our `--zone`.
enum RegionArguments {
    private static let multiValueOptions: Set<String> = ["-a", "--add-region", "-roi", "--region-of-interest"]

    /// Joins the numbers after each multi-value region option into one argument, so that every
    /// occurrence of `-a` stays one polygon for ArgumentParser.
    static func rewrite(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            out.append(argument == "--region-of-interest" ? "-roi" : argument)
            index += 1
            guard multiValueOptions.contains(argument) else { continue }
            var numbers: [String] = []
            while index < arguments.count, isNumberList(arguments[index]) {
                numbers.append(arguments[index])
                index += 1
            }
            if !numbers.isEmpty { out.append(numbers.joined(separator: " ")) }
        }
        return out
    }

    private static func isNumberList(_ token: String) -> Bool {
        !token.isEmpty && token.allSatisfy { $0.isNumber || ", ()[]".contains($0) } && token.contains(where: \.isNumber)
    }

    /// The numbers in a region argument ("10 20, 30 40" → ["10", "20", "30", "40"]).
    static func numbers(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace || ",()[]".contains($0) }).map(String.init)
    }

    /// Parses `NAME[@THRESHOLD]=X0 Y0 X1 Y1 X2 Y2 …`.
    static func zone(_ text: String) throws -> Region {
        guard let eq = text.firstIndex(of: "=") else {
            throw ValidationError("--zone expects NAME[@THRESHOLD]=X0 Y0 X1 Y1 X2 Y2 …, got '\(text)'")
        }
        let head = text[..<eq]
        let parts = head.split(separator: "@", maxSplits: 1)
        guard let name = parts.first.map(String.init), !name.isEmpty else { throw ValidationError("--zone '\(text)': the zone needs a name") }
        var threshold: Double?
        if parts.count == 2 {
            guard let t = Double(parts[1]), t >= 0 else { throw ValidationError("--zone '\(text)': threshold must be a number >= 0") }
            threshold = t
        }
        return try RegionFile.polygon(numbers(String(text[text.index(after: eq)...])), context: "--zone \(name)",
                                      name: name, threshold: threshold)
    }
}
