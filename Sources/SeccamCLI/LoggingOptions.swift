import ArgumentParser
import Logging
import SeccamEngine

/// `--log-level`: where the CLI bootstraps swift-log (libraries only take a Logger) and routes FFmpeg's
/// own messages into it, on stderr.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error [warning].")
    var logLevel: Logger.Level = .warning

    /// Sets up logging once per process and returns the command's logger; with `file`, messages go there too.
    func makeLogger(label: String, level: Logger.Level? = nil, file: LogFile? = nil) -> Logger {
        if let file {
            LoggingSystem.bootstrap { MultiplexLogHandler([StreamLogHandler.standardError(label: $0), file.handler(label: $0)]) }
        } else {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        }
        var logger = Logger(label: label)
        logger.logLevel = level ?? logLevel
        FFmpegLibrary.routeLogs(to: logger)
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
