import Foundation
import Logging

/// `--logfile FILE` (dvr-scan's option): a file the scan's log messages and its printed result are appended to,
/// created if missing.
final class LogFile: @unchecked Sendable {
    let path: String
    private let handle: FileHandle
    private let lock = NSLock()

    /// Opens `path` for appending.
    /// - Throws: ``CommandFailure`` naming the file when it cannot be created or opened.
    init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw CommandFailure("--logfile: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("--logfile: cannot open \(path) for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends `text` as it is.
    func append(_ text: String) {
        lock.withLock { handle.write(Data(text.utf8)) }
    }

    /// A swift-log handler that appends each message as one line: time, level, label, message and metadata.
    func handler(label: String) -> LogHandler { Handler(file: self, label: label) }

    private struct Handler: LogHandler {
        let file: LogFile
        let label: String
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let details = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let time = Date().formatted(.iso8601)
            file.append("\(time) \(event.level) \(label): \(event.message)\(details)\n")
        }
    }
}
