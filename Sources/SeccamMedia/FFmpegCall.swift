internal import CSeccamFFmpeg

/// The one checker for FFmpeg return codes: returns `ret` when it is not negative, otherwise throws a
/// ``MediaError`` with the call name, the `av_strerror` text captured now, and the operation text
/// (built only on failure).
@discardableResult
func ffCheck(
    _ ret: Int32, _ call: StaticString, _ operation: @autoclosure () -> String,
    fileID: StaticString = #fileID, line: UInt = #line
) throws(MediaError) -> Int32 {
    guard ret < 0 else { return ret }
    throw MediaError(averror: ret, call: "\(call)", operation: operation(), fileID: fileID, line: line)
}

extension MediaError {
    /// Builds an error from an AVERROR code, mapping it to a ``Code`` and capturing `av_strerror`.
    init(averror: Int32, call: String, operation: String, fileID: StaticString = #fileID, line: UInt = #line) {
        self.init(
            code: Code(averror: averror), operation: operation, call: call, averror: averror,
            reason: averrorText(averror), fileID: fileID, line: line)
    }
}

extension MediaError.Code {
    /// The single mapping from AVERROR values to codes (ARCHITECTURE.md, error handling).
    init(averror e: Int32) {
        switch e {
        case cseccam_averror(ENOENT), cseccam_averror_http_not_found(): self = .notFound
        case cseccam_averror(EACCES), cseccam_averror(EPERM), cseccam_averror_http_unauthorized(),
            cseccam_averror_http_forbidden():
            self = .permissionDenied
        case cseccam_averror(ETIMEDOUT): self = .timedOut
        case cseccam_averror_exit(): self = .cancelled
        case cseccam_averror(ECONNREFUSED), cseccam_averror(EHOSTUNREACH), cseccam_averror(ENETUNREACH),
            cseccam_averror(ECONNRESET), cseccam_averror(EPIPE), cseccam_averror(EIO):
            self = .network
        case cseccam_averror_invaliddata(): self = .invalidData
        case cseccam_averror_decoder_not_found(): self = .decoderNotFound
        case cseccam_averror_stream_not_found(): self = .streamNotFound
        case cseccam_averror_protocol_not_found(), cseccam_averror_demuxer_not_found(): self = .unsupported
        case cseccam_averror(ENOMEM): self = .outOfMemory
        case cseccam_averror(EINVAL), cseccam_averror(EISDIR): self = .invalidArgument
        default: self = .ffmpeg
        }
    }
}

/// `av_strerror` text for an AVERROR value.
func averrorText(_ e: Int32) -> String {
    let size = Int(cseccam_error_max_string_size())
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buffer in
        guard let base = buffer.baseAddress else { return "error \(e)" }
        if av_strerror(e, base, size) < 0 { return "error \(e)" }
        return String(cString: base)
    }
}
