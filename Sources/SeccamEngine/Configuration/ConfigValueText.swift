import Foundation

/// Parsers for the value forms a service config file accepts besides dvr-scan's own: durations,
/// byte sizes, `host:port`, and `${VARIABLE}` references to the environment.
enum ConfigValueText {
    /// Seconds from `90`, `1.5s`, `500ms`, `5m`, `2h`, `30d` or `HH:MM:SS`.
    static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let v = Double(t) { return v }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            if let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) { return v * scale }
        }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]) {
            return h * 3600 + m * 60 + s
        }
        return nil
    }

    /// Bytes from `1048576`, `500MB`, `1.5GiB`, `2TB` (KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB of 1024).
    static func bytes(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let v = Int64(t) { return v }
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
        ]
        for (suffix, scale) in units where t.uppercased().hasSuffix(suffix.uppercased()) {
            let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            if let v = Double(number), v >= 0 { return Int64(v * scale) }
        }
        return nil
    }

    /// `HOST:PORT` with a port in 1...65535.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65535).contains(port)
        else { return nil }
        let host = String(text[..<colon])
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}

/// Replaces `${NAME}` with the environment variable NAME, so secrets stay out of config files and the
/// process list.
public enum EnvironmentExpansion {
    /// The reason an expansion failed (an unclosed `${` or an unset variable).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `text` with every `${NAME}` replaced from `environment`.
    public static func expand(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(Failure) -> String
    {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw Failure(description: "unclosed ${ (write ${NAME})")
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = environment[name] else {
                throw Failure(description: "environment variable \(name) is not set")
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
