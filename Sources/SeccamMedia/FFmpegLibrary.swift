internal import CSeccamFFmpeg
internal import CSeccamFFmpegSupport
import Logging
import Synchronization

/// One-time setup of the FFmpeg libraries: version check, network init, and the `av_log` → swift-log bridge.
/// (libavdevice is loaded only when a capture device is opened: ``CaptureDevices``.)
public enum FFmpegLibrary {
    /// The running library versions as "avformat 59.27.100, avcodec 59.37.100, …".
    public static var versions: String {
        func text(_ name: String, _ v: UInt32) -> String { "\(name) \(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)" }
        return [
            text("avformat", avformat_version()), text("avcodec", avcodec_version()),
            text("avutil", avutil_version()), text("swscale", swscale_version()),
        ].joined(separator: ", ")
    }

    /// Checks that the running libraries are compatible with the headers we were built against
    /// (same major, running minor ≥ compiled minor) and initialises networking, once.
    /// Every entry point that opens media calls this; calling it again is free.
    public static func initialize() throws(MediaError) {
        try initialization.get()
    }

    private static let initialization: Result<Void, MediaError> = {
        let pairs: [(String, UInt32, UInt32)] = [
            ("avformat", cseccam_compiled_avformat_version(), avformat_version()),
            ("avcodec", cseccam_compiled_avcodec_version(), avcodec_version()),
            ("avutil", cseccam_compiled_avutil_version(), avutil_version()),
            ("swscale", cseccam_compiled_swscale_version(), swscale_version()),
        ]
        for (name, compiled, running) in pairs {
            if let mismatch = versionMismatch(name, compiled: compiled, running: running) { return .failure(mismatch) }
        }
        avformat_network_init()
        if bridgedLogger.withLock({ $0 }) == nil { av_log_set_level(AV_LOG_QUIET) }
        return .success(())
    }()

    /// The error when the running library `name` is not compatible with the headers (same major, running minor ≥
    /// compiled minor), else nil.
    static func versionMismatch(_ name: String, compiled: UInt32, running: UInt32) -> MediaError? {
        guard compiled >> 16 != running >> 16 || (running >> 8) & 0xFF < (compiled >> 8) & 0xFF else { return nil }
        return MediaError(
            code: .unsupported, operation: "checking FFmpeg library versions",
            reason: "lib\(name) runs as version \(running >> 16).\((running >> 8) & 0xFF) but was compiled against \(compiled >> 16).\((compiled >> 8) & 0xFF)")
    }

    /// Routes FFmpeg's own log lines (`av_log`) to `logger`, with credentials redacted.
    /// FFmpeg errors arrive at `.info`, warnings at `.debug`, the rest at `.trace` (library rule: info or below).
    public static func routeLogs(to logger: Logger) {
        bridgedLogger.withLock { $0 = logger }
        let level: Int32
        switch logger.logLevel {
        case .trace: level = AV_LOG_VERBOSE
        case .debug: level = AV_LOG_WARNING
        case .info: level = AV_LOG_ERROR
        default: level = AV_LOG_QUIET
        }
        av_log_set_level(level)
        cseccam_set_log_sink(ffmpegLogSink)
    }
}

private let bridgedLogger = Mutex<Logger?>(nil)

private let ffmpegLogSink: cseccam_log_sink = { level, line in
    guard let line, let logger = bridgedLogger.withLock({ $0 }) else { return }
    let message = SourceURL.redact(String(cString: line).trimmingTrailingWhitespace())
    guard !message.isEmpty else { return }
    let swiftLevel: Logger.Level = level <= AV_LOG_ERROR ? .info : (level <= AV_LOG_WARNING ? .debug : .trace)
    logger.log(level: swiftLevel, "\(message)", metadata: ["ffmpeg.level": "\(level)"])
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
