/// An error from the media layer (FFmpeg), carrying what we were doing, which C call failed and
/// FFmpeg's own text for the error code, captured when the error was thrown.
///
/// The `description` reads like
/// `notFound: opening input file:/x.mp4 — avformat_open_input: No such file or directory (-2) [Demuxer.swift:88]`.
/// Source URLs in `operation` are always redacted (see ``SourceURL/redacted``).
public struct MediaError: Error, Sendable, CustomStringConvertible {
    /// A broad classification of the failure, stable across FFmpeg versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Storage: String, Sendable {
            case notFound, permissionDenied, timedOut, cancelled, network, invalidData
            case decoderNotFound, streamNotFound, unsupported, outOfMemory, invalidArgument, ffmpeg
        }
        fileprivate let storage: Storage

        /// The file, device or remote resource does not exist.
        public static let notFound = Code(storage: .notFound)
        /// Access was refused (file permissions, or HTTP 401/403 from a camera).
        public static let permissionDenied = Code(storage: .permissionDenied)
        /// The source did not answer within the configured timeout.
        public static let timedOut = Code(storage: .timedOut)
        /// The operation was interrupted on request (``InterruptFlag``).
        public static let cancelled = Code(storage: .cancelled)
        /// The connection was refused, reset or unreachable.
        public static let network = Code(storage: .network)
        /// The data could not be parsed or decoded.
        public static let invalidData = Code(storage: .invalidData)
        /// No decoder is available for the stream's codec.
        public static let decoderNotFound = Code(storage: .decoderNotFound)
        /// The input has no stream of the requested kind (for example no video).
        public static let streamNotFound = Code(storage: .streamNotFound)
        /// The input kind, scheme or format is not supported.
        public static let unsupported = Code(storage: .unsupported)
        /// An allocation failed.
        public static let outOfMemory = Code(storage: .outOfMemory)
        /// The caller passed a value FFmpeg rejected (bad option, not a regular file).
        public static let invalidArgument = Code(storage: .invalidArgument)
        /// Any other FFmpeg error.
        public static let ffmpeg = Code(storage: .ffmpeg)

        /// Whether retrying the same source later may succeed (a camera supervisor retries these).
        public var isTransient: Bool {
            switch storage {
            case .timedOut, .network, .invalidData, .ffmpeg: return true
            default: return false
            }
        }

        public var description: String { storage.rawValue }
    }

    public var code: Code
    /// What we were doing, with credentials redacted: "opening input rtsp://cam-1/stream1".
    public var operation: String
    /// The C function that failed, if any.
    public var call: String?
    /// The raw negative AVERROR value, if any.
    public var averror: Int32?
    /// FFmpeg's text for `averror` (`av_strerror`), or our own explanation.
    public var reason: String?
    /// Where in this project the error was thrown (`#fileID:#line`).
    public var location: String

    public init(
        code: Code, operation: String, call: String? = nil, averror: Int32? = nil, reason: String? = nil,
        fileID: StaticString = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.operation = operation
        self.call = call
        self.averror = averror
        self.reason = reason
        let file = "\(fileID)".split(separator: "/").last.map(String.init) ?? "\(fileID)"
        self.location = "\(file):\(line)"
    }

    public var description: String {
        var text = "\(code): \(operation)"
        var detail: [String] = []
        if let call { detail.append(call) }
        if let reason {
            detail.append(averror.map { "\(reason) (\($0))" } ?? reason)
        } else if let averror {
            detail.append("error \(averror)")
        }
        if !detail.isEmpty { text += " — " + detail.joined(separator: ": ") }
        return text + " [\(location)]"
    }
}
