import ArgumentParser
import Logging
import SeccamEngine

/// `--log-level`: where the CLI bootstraps swift-log (libraries only take a Logger) and routes FFmpeg's
/// own messages into it, on stderr.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error [warning].")
    var logLevel: Logger.Level = .warning

    /// Sets up logging once per process and returns the command's logger.
    func makeLogger(label: String) -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        FFmpegLibrary.routeLogs(to: logger)
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
