import Foundation

/// A failed spool or upload step: what we were doing, the C call or HTTP exchange that failed, and why.
///
/// Shaped like `MediaError` (ARCHITECTURE.md, errors): a `Code` wrapping a private enum, the operation in words,
/// curl's code, `curl_easy_strerror` text and the more specific `CURLOPT_ERRORBUFFER` text, or the HTTP status
/// with the server's error `Code`/`Message` from the XML body. Credentials never appear in any field: operations
/// name the spool entry and the object URL (which holds no secrets), never request headers.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Storage: String { case io, network, timedOut, cancelled, http, invalidInput, verification, curl, busy }
        fileprivate let storage: Storage
        /// A local file or folder operation failed (errno text in `reason`).
        public static let io = Code(storage: .io)
        /// The connection failed or broke (curl: couldn't connect, send/recv error, reset, got nothing).
        public static let network = Code(storage: .network)
        /// A transfer or connect timeout.
        public static let timedOut = Code(storage: .timedOut)
        /// The transfer was stopped because the uploader is shutting down.
        public static let cancelled = Code(storage: .cancelled)
        /// The server answered with a non-2xx status (`httpStatus`, `serverCode`, `serverMessage`).
        public static let http = Code(storage: .http)
        /// A bad argument or configuration (URL, key template, missing credentials, bad manifest).
        public static let invalidInput = Code(storage: .invalidInput)
        /// The server accepted the object but it does not match (ETag/MD5 or size).
        public static let verification = Code(storage: .verification)
        /// Any other libcurl failure.
        public static let curl = Code(storage: .curl)
        /// The spool is locked by another uploader process.
        public static let busy = Code(storage: .busy)
        public var description: String { storage.rawValue }
    }

    public var code: Code
    /// What we were doing, e.g. "uploading entry 20261125T…-3fa2 to http://127.0.0.1:8333/clips/cam1/…".
    public var operation: String
    /// The C function or HTTP request that failed ("curl_easy_perform", "rename", "PUT").
    public var call: String?
    /// The raw `CURLcode`, when libcurl failed.
    public var curlCode: Int32?
    /// `curl_easy_strerror(code)` or `strerror(errno)`.
    public var reason: String?
    /// The `CURLOPT_ERRORBUFFER` text (more specific than `reason`).
    public var detail: String?
    /// The HTTP status, when the server answered.
    public var httpStatus: Int?
    /// The S3 error `Code` and `Message` from the XML body (or the first line of a non-XML body).
    public var serverCode: String?
    public var serverMessage: String?
    /// Seconds the server asked us to wait (`Retry-After`), if any.
    public var retryAfter: Double?
    /// `#fileID:#line` of the throw site.
    public var location: String

    public init(_ code: Code, operation: String, call: String? = nil, curlCode: Int32? = nil, reason: String? = nil,
                detail: String? = nil, httpStatus: Int? = nil, serverCode: String? = nil, serverMessage: String? = nil,
                retryAfter: Double? = nil, fileID: StaticString = #fileID, line: UInt = #line) {
        self.code = code
        self.operation = operation
        self.call = call
        self.curlCode = curlCode
        self.reason = reason
        self.detail = detail
        self.httpStatus = httpStatus
        self.serverCode = serverCode
        self.serverMessage = serverMessage
        self.retryAfter = retryAfter
        let file = "\(fileID)".split(separator: "/").last.map(String.init) ?? "\(fileID)"
        self.location = "\(file):\(line)"
    }

    /// An errno failure of a file operation, with `strerror` captured now.
    static func io(_ operation: String, call: String, errno code: Int32 = errno, fileID: StaticString = #fileID,
                   line: UInt = #line) -> SpoolError {
        SpoolError(.io, operation: operation, call: call, reason: String(cString: strerror(code)), fileID: fileID, line: line)
    }

    /// Whether retrying later can succeed: network trouble, timeouts, 5xx, 429, 408 and S3's `RequestTimeout`,
    /// `SlowDown` and `InternalError`. 400/403/404 and local problems are permanent: the entry goes to `failed/`.
    public var isTransient: Bool {
        switch code.storage {
        case .network, .timedOut, .cancelled, .curl, .busy: return true
        case .io, .invalidInput: return false
        case .verification: return true   // a torn or mismatched upload: upload it again
        case .http:
            guard let status = httpStatus else { return true }
            if status == 408 || status == 429 || status >= 500 { return true }
            if let serverCode, ["RequestTimeout", "SlowDown", "InternalError", "ServiceUnavailable", "NoSuchUpload",
                                "RequestTimeTooSkewed", "OperationAborted"].contains(serverCode) { return true }
            return false
        }
    }

    public var description: String {
        var text = "\(code): \(operation)"
        var parts: [String] = []
        if let httpStatus {
            var http = "HTTP \(httpStatus)"
            if let serverCode { http += " \(serverCode)" }
            if let serverMessage, !serverMessage.isEmpty { http += ": \(serverMessage)" }
            parts.append(http)
        }
        if let call {
            var c = call
            if let reason { c += ": \(reason)" }
            if let detail, !detail.isEmpty, detail != reason { c += " (\(detail))" }
            if let curlCode { c += " [CURLcode \(curlCode)]" }
            if httpStatus == nil || reason != nil { parts.append(c) }
        } else if let reason {
            parts.append(reason)
        }
        if !parts.isEmpty { text += " — " + parts.joined(separator: "; ") }
        return text + " [\(location)]"
    }
}
