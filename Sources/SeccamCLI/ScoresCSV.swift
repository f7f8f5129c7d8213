import Foundation
import SeccamEngine

/// Writes `frame,pts,score,above` rows for every processed frame (`scan --scores FILE.csv`).
final class ScoresCSV {
    private let handle: FileHandle
    private var buffer = ""

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data("frame,pts,score,above\n".utf8)),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("--scores: cannot create \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func write(_ record: FrameRecord) {
        buffer += "\(record.frame),\(String(format: "%.6f", record.ptsSeconds)),\(record.score.score),\(record.score.above ? 1 : 0)\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    func close() throws {
        flush()
        try handle.close()
    }

    private func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }
}
