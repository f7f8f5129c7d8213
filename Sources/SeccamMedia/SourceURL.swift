import Foundation

/// A media source location (file path, `rtsp://`, `http(s)://`, `/dev/videoN`), keeping the full text
/// (which may contain credentials) apart from the text that is safe to show.
///
/// Only ``redacted`` is ever put into errors and logs. The full text is handed to FFmpeg and nowhere else.
public struct SourceURL: Sendable, Hashable, CustomStringConvertible {
    /// The location exactly as given, credentials included. Internal: only the demuxer reads it.
    let full: String

    /// Creates a source from a path or URL.
    public init(_ text: String) { self.full = text }

    /// Creates a source from a URL and separately kept credentials, spliced in only for FFmpeg.
    public init(_ text: String, username: String?, password: String?) {
        guard let username, !username.isEmpty, let range = text.range(of: "://") else {
            self.init(text)
            return
        }
        let user = Self.percentEncodeUserInfo(username)
        let pass = password.map { ":" + Self.percentEncodeUserInfo($0) } ?? ""
        self.init(String(text[..<range.upperBound]) + user + pass + "@" + text[range.upperBound...])
    }

    /// The URL scheme in lower case (`rtsp`, `http`, `file`), or nil for a plain path.
    public var scheme: String? {
        guard let range = full.range(of: "://") else { return nil }
        let scheme = full[..<range.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return scheme.lowercased()
    }

    /// True for `/dev/video*` capture devices (read through libavdevice's v4l2 input).
    public var isVideoDevice: Bool { scheme == nil && full.hasPrefix("/dev/video") }

    /// True when the source is a network stream rather than a file or device.
    public var isNetwork: Bool {
        guard let scheme else { return false }
        return scheme != "file"
    }

    /// The location with user info and secret-looking query values replaced by `***`.
    public var redacted: String { Self.redact(full) }

    public var description: String { redacted }

    /// Redacts every `scheme://user:pass@` user-info part and secret query values found in free text
    /// (used on FFmpeg's own log lines too).
    public static func redact(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let sep = rest.range(of: "://") {
            out += rest[..<sep.upperBound]
            rest = rest[sep.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == " " }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                out += "***@"
                rest = rest[rest.index(after: at)...]
            }
        }
        out += rest
        return redactQuerySecrets(out)
    }

    private static let secretKeys = ["pass", "pwd", "token", "secret", "key", "auth", "signature", "credential"]

    private static func redactQuerySecrets(_ text: String) -> String {
        guard text.contains("?") || text.contains("&") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            result.append(ch)
            index = text.index(after: index)
            guard ch == "?" || ch == "&" || ch == ";" else { continue }
            guard let eq = text[index...].firstIndex(of: "=") else { continue }
            let name = text[index..<eq]
            guard !name.contains(where: { $0 == "&" || $0 == " " || $0 == "/" }) else { continue }
            let lower = name.lowercased()
            guard secretKeys.contains(where: { lower.contains($0) }) else { continue }
            let valueEnd = text[eq...].firstIndex(where: { $0 == "&" || $0 == " " || $0 == "#" }) ?? text.endIndex
            result += name + "=***"
            index = valueEnd
        }
        return result
    }

    private static func percentEncodeUserInfo(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
