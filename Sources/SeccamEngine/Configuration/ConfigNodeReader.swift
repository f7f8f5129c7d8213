import Yams

/// Walks a parsed YAML tree and collects every problem with its key path and line, instead of stopping
/// at the first one. Every string value is expanded for `${VARIABLE}` from the environment.
struct ConfigNodeReader {
    private(set) var problems: [ConfigurationProblem] = []
    let environment: [String: String]

    mutating func report(_ path: String, _ node: Node?, _ message: String) {
        problems.append(ConfigurationProblem(keyPath: path, line: node?.mark?.line, message: message))
    }

    /// The key/value pairs of a mapping; unknown keys and non-text keys are reported and left out.
    mutating func mapping(_ node: Node, at path: String, known: Set<String>) -> [(key: String, path: String, value: Node)]? {
        guard let mapping = node.mapping else {
            report(path, node, "expected a mapping of keys to values")
            return nil
        }
        var pairs: [(key: String, path: String, value: Node)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                report(path, keyNode, "keys must be plain text")
                continue
            }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard known.contains(key) else {
                let near = known.filter { Self.editDistance($0, key) <= 2 }.sorted()
                let hint = near.isEmpty ? "known here: \(known.sorted().joined(separator: ", "))" : "did you mean \(near.joined(separator: " or "))?"
                report(keyPath, keyNode, "unknown key (\(hint))")
                continue
            }
            guard seen.insert(key).inserted else {
                report(keyPath, keyNode, "key given twice")
                continue
            }
            pairs.append((key, keyPath, value))
        }
        return pairs
    }

    /// The items of a sequence.
    mutating func sequence(_ node: Node, at path: String) -> [Node]? {
        guard let items = node.sequence else {
            report(path, node, "expected a list")
            return nil
        }
        return Array(items)
    }

    /// A scalar as text, with `${VARIABLE}` expanded.
    mutating func string(_ node: Node, at path: String) -> String? {
        guard let scalar = node.scalar else {
            report(path, node, "expected a single value, not a list or mapping")
            return nil
        }
        do { return try EnvironmentExpansion.expand(scalar.string, environment: environment) } catch {
            report(path, node, error.description)
            return nil
        }
    }

    /// A non-empty string.
    mutating func nonEmptyString(_ node: Node, at path: String) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard !text.isEmpty else {
            report(path, node, "must not be empty")
            return nil
        }
        return text
    }

    mutating func bool(_ node: Node, at path: String) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(path, node, "expected true or false, got '\(text)'")
            return nil
        }
    }

    /// A number within `range`.
    mutating func number(_ node: Node, at path: String, in range: ClosedRange<Double>) -> Double? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Double(text), value.isFinite else {
            report(path, node, "expected a number, got '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            report(path, node, "must be between \(range.lowerBound) and \(range.upperBound), got \(text)")
            return nil
        }
        return value
    }

    /// A whole number within `range`.
    mutating func integer(_ node: Node, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            report(path, node, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
            return nil
        }
        return value
    }

    /// A positive duration (`90`, `1.5s`, `5m`, `2h`, `30d`, `HH:MM:SS`) in seconds.
    mutating func seconds(_ node: Node, at path: String) -> Double? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = ConfigValueText.seconds(text), value.isFinite else {
            report(path, node, "expected a duration such as 10s, 5m, 2h, 30d or HH:MM:SS, got '\(text)'")
            return nil
        }
        guard value > 0 else {
            report(path, node, "must be greater than 0, got '\(text)'")
            return nil
        }
        return value
    }

    /// A byte size (`1048576`, `500MB`, `1.5GiB`).
    mutating func bytes(_ node: Node, at path: String) -> Int64? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = ConfigValueText.bytes(text), value > 0 else {
            report(path, node, "expected a size such as 500MB, 2GiB or a number of bytes, got '\(text)'")
            return nil
        }
        return value
    }

    /// A source location: a URL with a scheme FFmpeg reads, `/dev/videoN`, or an absolute file path.
    mutating func source(_ node: Node, at path: String) -> String? {
        guard let text = nonEmptyString(node, at: path) else { return nil }
        let url = SourceURL(text)
        if let scheme = url.scheme {
            let known = ["rtsp", "rtsps", "rtmp", "http", "https", "file", "udp", "tcp", "srt"]
            guard known.contains(scheme) else {
                report(path, node, "unsupported URL scheme '\(scheme)' (use rtsp, http(s), file, udp, tcp, srt or rtmp) in '\(url.redacted)'")
                return nil
            }
            let rest = text[text.range(of: "://")!.upperBound...]
            guard !rest.isEmpty, scheme == "file" || !rest.hasPrefix("/") else {
                report(path, node, "URL has no host: '\(url.redacted)'")
                return nil
            }
        } else if !text.hasPrefix("/") {
            report(path, node, "expected a URL (rtsp://…, http://…), /dev/videoN or an absolute file path, got '\(url.redacted)'")
            return nil
        }
        return text
    }

    /// Levenshtein distance, for "did you mean" hints on misspelt keys.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
