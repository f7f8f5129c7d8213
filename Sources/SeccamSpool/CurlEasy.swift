internal import CSeccamCurl
import Foundation
import Synchronization

/// A flag that stops transfers in progress (read by curl's progress callback), set from any thread.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// One HTTP request for ``CurlEasy``.
struct HTTPRequest {
    enum Body {
        case none
        case data(Data)
        /// `length` bytes of a file from `offset` (streamed, never loaded whole).
        case file(path: String, offset: Int64, length: Int64)
        /// A multipart/form-data body: the file as field `file` named `fileName`, plus text fields.
        case form(file: String, fileName: String, fields: [String: String])

        var length: Int64 {
            switch self {
            case .none, .form: return 0
            case .data(let data): return Int64(data.count)
            case .file(_, _, let length): return length
            }
        }
    }

    var method: String
    var url: String
    /// Header names as sent; `Host` is set explicitly so that the signed value is the sent one.
    var headers: [(String, String)] = []
    var body: Body = .none
    /// Write the response body to this file instead of memory (downloads).
    var downloadPath: String?
}

/// What the server answered.
struct HTTPResponse {
    var status: Int
    /// Header names lower-cased; the last value wins.
    var headers: [String: String]
    var body: Data
    /// Bytes sent and the transfer time (seconds).
    var uploadedBytes: Int64
    var seconds: Double
}

/// Transfer settings shared by the requests of one handle.
public struct TransferOptions: Sendable {
    /// Connect timeout (s).
    public var connectTimeout: Double = 10
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is aborted as a timeout.
    public var lowSpeedLimit: Int = 1
    public var lowSpeedTime: Int = 30
    /// Upper bound for the whole request (s), 0 = none.
    public var totalTimeout: Double = 0
    /// Upload bandwidth cap for this handle in bytes/s (0 = unlimited). The corresponding option is
    /// `CURLOPT_MAX_SEND_SPEED_LARGE`.
    public var maxSendBytesPerSecond: Int64 = 0
    /// Extra CA bundle (PEM) for https endpoints.
    public var caBundle: String?
    /// `CURLOPT_CONNECT_TO` entries, `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT` (empty parts mean "any"/"same"):
    /// connect elsewhere than the URL's host while keeping its name for `Host` and TLS, e.g. `::127.0.0.1:` to reach
    /// virtual-host-style bucket names without DNS.
    public var connectTo: [String] = []
    public init() {}
}

/// Owns one libcurl easy handle, its header list and its error buffer (ARCHITECTURE.md, ownership table).
///
/// The handle is reused across requests (`curl_easy_reset` keeps its connection and DNS caches). Not thread-safe:
/// each uploader worker owns one. Blocking.
final class CurlEasy {
    private var handle: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectToList: UnsafeMutablePointer<curl_slist>?
    /// Owned by the class so that it outlives every use by the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    var options: TransferOptions
    let cancellation: CancellationFlag

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// - Throws: `.curl` when `curl_easy_init` fails (out of memory).
    init(options: TransferOptions = TransferOptions(), cancellation: CancellationFlag = CancellationFlag()) throws(SpoolError) {
        _ = Self.globalInit
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(cseccam_curl_error_size))
        buffer.initialize(repeating: 0, count: Int(cseccam_curl_error_size))
        guard let handle = curl_easy_init() else {
            buffer.deallocate()
            throw SpoolError(.curl, operation: "creating an HTTP client", call: "curl_easy_init", reason: "out of memory")
        }
        self.handle = handle
        self.errorBuffer = buffer
        self.options = options
        self.cancellation = cancellation
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        if let handle { curl_easy_cleanup(handle) }
        errorBuffer.deallocate()
    }

    /// Runs one request to completion. Any HTTP status is a response, not an error.
    /// - Parameter operation: what the request is for, used in errors ("uploading part 3 of …").
    /// - Throws: `.network`, `.timedOut`, `.cancelled`, `.io` (body file unreadable), `.invalidInput`, `.curl`,
    ///   with curl's text and the error buffer.
    @available(*, noasync, message: "blocks; call from an uploader thread")
    func perform(_ request: HTTPRequest, operation: @autoclosure () -> String) throws(SpoolError) -> HTTPResponse {
        guard let handle else { preconditionFailure("CurlEasy used after cleanup") }
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        curl_slist_free_all(headerList)
        headerList = nil

        let context = TransferContext(body: request.body, cancellation: cancellation)
        if let path = request.downloadPath {
            context.downloadFD = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard context.downloadFD >= 0 else { throw .io("\(operation()): writing \(path)", call: "open") }
        }
        if case .file(let path, _, _) = request.body {
            context.uploadFD = open(path, O_RDONLY | O_CLOEXEC)
            guard context.uploadFD >= 0 else { throw .io("\(operation()): reading \(path)", call: "open") }
        }
        let box = Unmanaged.passRetained(context)
        defer { box.release() }
        let opaque = box.toOpaque()

        var failedOption: String?
        func set(_ name: String, _ result: CURLcode) { if result != CURLE_OK && failedOption == nil { failedOption = name } }
        set("ERRORBUFFER", cseccam_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set("URL", cseccam_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set("NOSIGNAL", cseccam_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set("CONNECTTIMEOUT_MS", cseccam_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000)))
        set("LOW_SPEED_LIMIT", cseccam_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit))
        set("LOW_SPEED_TIME", cseccam_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime))
        if options.totalTimeout > 0 {
            set("TIMEOUT_MS", cseccam_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.totalTimeout * 1000)))
        }
        if options.maxSendBytesPerSecond > 0 {
            set("MAX_SEND_SPEED_LARGE", cseccam_curl_setopt_off_t(handle, CURLOPT_MAX_SEND_SPEED_LARGE, curl_off_t(options.maxSendBytesPerSecond)))
        }
        if let ca = options.caBundle { set("CAINFO", cseccam_curl_setopt_string(handle, CURLOPT_CAINFO, ca)) }
        if !options.connectTo.isEmpty {
            if connectToList == nil {
                for entry in options.connectTo { connectToList = curl_slist_append(connectToList, entry) }
            }
            set("CONNECT_TO", cseccam_curl_setopt_slist(handle, CURLOPT_CONNECT_TO, connectToList))
        }
        set("WRITEFUNCTION", cseccam_curl_setopt_write_function(handle, curlWrite))
        set("WRITEDATA", cseccam_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque))
        set("HEADERFUNCTION", cseccam_curl_setopt_header_function(handle, curlHeader))
        set("HEADERDATA", cseccam_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque))
        set("XFERINFOFUNCTION", cseccam_curl_setopt_xferinfo_function(handle, curlProgress))
        set("XFERINFODATA", cseccam_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, opaque))
        set("NOPROGRESS", cseccam_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))

        let length = request.body.length
        var mime: OpaquePointer?
        defer { curl_mime_free(mime) }
        if case .form(let file, let fileName, let fields) = request.body {
            mime = curl_mime_init(handle)
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                let part = curl_mime_addpart(mime)
                set("mime name", curl_mime_name(part, name))
                set("mime data", curl_mime_data(part, value, value.utf8.count))
            }
            let part = curl_mime_addpart(mime)
            set("mime name", curl_mime_name(part, "file"))
            set("mime filedata", curl_mime_filedata(part, file))
            set("mime filename", curl_mime_filename(part, fileName))
            set("MIMEPOST", cseccam_curl_setopt_pointer(handle, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime)))
        }
        switch request.method {
        case "POST" where mime != nil: break
        case "GET": break
        case "HEAD": set("NOBODY", cseccam_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        case "PUT":
            set("UPLOAD", cseccam_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
            set("INFILESIZE_LARGE", cseccam_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(length)))
        case "POST":
            set("POST", cseccam_curl_setopt_long(handle, CURLOPT_POST, 1))
            set("POSTFIELDSIZE_LARGE", cseccam_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(length)))
        default:
            set("CUSTOMREQUEST", cseccam_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if request.method == "PUT" || (request.method == "POST" && mime == nil) {
            // 1 MiB reads instead of curl's 64 KiB default: fewer callbacks and syscalls for large clips.
            set("UPLOAD_BUFFERSIZE", cseccam_curl_setopt_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, 1 << 20))
            set("READFUNCTION", cseccam_curl_setopt_read_function(handle, curlRead))
            set("READDATA", cseccam_curl_setopt_pointer(handle, CURLOPT_READDATA, opaque))
            set("SEEKFUNCTION", cseccam_curl_setopt_seek_function(handle, curlSeek))
            set("SEEKDATA", cseccam_curl_setopt_pointer(handle, CURLOPT_SEEKDATA, opaque))
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            // curl deletes a header given as "Name:"; "Name;" is its syntax for sending one with an empty value.
            let line = value.trimmingCharacters(in: .whitespaces).isEmpty ? "\(name);" : "\(name): \(value)"
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw SpoolError(.curl, operation: operation(), call: "curl_slist_append", reason: "out of memory")
            }
            list = appended
        }
        // No "Accept:" and no "Content-Type" that curl would otherwise add on its own for POST.
        for blank in ["Accept:", request.method == "POST" && !request.headers.contains { $0.0.lowercased() == "content-type" } ? "Content-Type:" : nil] {
            if let blank, let appended = curl_slist_append(list, blank) { list = appended }
        }
        headerList = list
        set("HTTPHEADER", cseccam_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        if let failedOption {
            // A refused option is a setup problem that retrying cannot fix.
            throw SpoolError(.invalidInput, operation: operation(), call: "curl_easy_setopt(CURLOPT_\(failedOption))", reason: "option refused")
        }

        let started = Date()
        let code = curl_easy_perform(handle)
        if let fd = Optional(context.downloadFD), fd >= 0 { close(fd); context.downloadFD = -1 }
        if let fd = Optional(context.uploadFD), fd >= 0 { close(fd); context.uploadFD = -1 }
        if code != CURLE_OK {
            if let readError = context.readError {
                throw SpoolError(.io, operation: operation(), call: "read", reason: readError)
            }
            throw curlError(code, operation: operation())
        }
        var status = 0
        _ = cseccam_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var uploaded: curl_off_t = 0
        _ = cseccam_curl_getinfo_off_t(handle, CURLINFO_SIZE_UPLOAD_T, &uploaded)
        return HTTPResponse(status: status, headers: context.headers, body: context.responseBody,
                            uploadedBytes: Int64(uploaded), seconds: Date().timeIntervalSince(started))
    }

    /// Maps a `CURLcode` to a ``SpoolError`` with `curl_easy_strerror` and the error buffer.
    private func curlError(_ code: CURLcode, operation: String) -> SpoolError {
        let reason = String(cString: curl_easy_strerror(code))
        let detail = String(cString: errorBuffer)
        let kind: SpoolError.Code
        switch code {
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_ABORTED_BY_CALLBACK: kind = cancellation.isCancelled ? .cancelled : .curl
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY, CURLE_SEND_FAIL_REWIND:
            kind = .network
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            kind = .invalidInput
        default: kind = .curl
        }
        return SpoolError(kind, operation: operation, call: "curl_easy_perform", curlCode: Int32(code.rawValue),
                          reason: reason, detail: detail.isEmpty ? nil : detail)
    }
}

@available(*, unavailable) extension CurlEasy: Sendable {}

/// Per-request state reached from curl's C callbacks through their `userdata` pointer.
private final class TransferContext {
    let body: HTTPRequest.Body
    let cancellation: CancellationFlag
    var uploadFD: Int32 = -1
    var downloadFD: Int32 = -1
    var sent: Int64 = 0
    var readError: String?
    var headers: [String: String] = [:]
    var responseBody = Data()
    /// Bodies kept in memory (error XML, small responses) are capped.
    static let memoryLimit = 4 << 20

    init(body: HTTPRequest.Body, cancellation: CancellationFlag) {
        self.body = body
        self.cancellation = cancellation
    }
}

private func context(_ pointer: UnsafeMutableRawPointer?) -> TransferContext {
    Unmanaged<TransferContext>.fromOpaque(pointer!).takeUnretainedValue()
}

private let curlRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { buffer, size, count, user in
    let ctx = context(user)
    let wanted = Int64(size * count)
    let remaining = ctx.body.length - ctx.sent
    let n = Int(min(wanted, remaining))
    guard n > 0, let buffer else { return 0 }
    switch ctx.body {
    case .none, .form: return 0
    case .data(let data):
        data.withUnsafeBytes { bytes in
            let start = Int(ctx.sent)
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + start, byteCount: n)
        }
        ctx.sent += Int64(n)
        return n
    case .file(_, let offset, _):
        while true {
            let got = pread(ctx.uploadFD, buffer, n, off_t(offset + ctx.sent))
            if got < 0 && errno == EINTR { continue }
            if got <= 0 {
                ctx.readError = got < 0 ? String(cString: strerror(errno)) : "file shorter than expected"
                return cseccam_curl_readfunc_abort
            }
            ctx.sent += Int64(got)
            return got
        }
    }
}

private let curlSeek: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, Int32) -> Int32 = { user, offset, origin in
    let ctx = context(user)
    guard origin == SEEK_SET, offset >= 0, Int64(offset) <= ctx.body.length else { return cseccam_curl_seekfunc_fail }
    ctx.sent = Int64(offset)
    return cseccam_curl_seekfunc_ok
}

private let curlWrite: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    let ctx = context(user)
    let n = size * count
    guard let data, n > 0 else { return 0 }
    if ctx.downloadFD >= 0 {
        var written = 0
        while written < n {
            let w = write(ctx.downloadFD, data + written, n - written)
            if w < 0 && errno == EINTR { continue }
            if w <= 0 { return 0 }   // curl reports CURLE_WRITE_ERROR
            written += w
        }
        return n
    }
    if ctx.responseBody.count < TransferContext.memoryLimit {
        ctx.responseBody.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n)
    }
    return n
}

private let curlHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    let ctx = context(user)
    let n = size * count
    guard let data else { return n }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        ctx.headers = [:]   // a new response (after 100 Continue or a redirect)
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        ctx.headers[name] = value
    }
    return n
}

private let curlProgress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { user, _, _, _, _ in
    context(user).cancellation.isCancelled ? 1 : 0
}
