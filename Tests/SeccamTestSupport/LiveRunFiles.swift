import Foundation

/// Helpers for tests of `seccam-engine run`: the files a camera wrote, and log lines.
public enum LiveRunFiles {
    /// Files ending in `suffix` under `output/<camera>/<YYYY-MM-DD>/`, sorted.
    public static func files(in output: URL, camera: String, suffix: String) -> [String] {
        let root = output.appendingPathComponent(camera)
        let days = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return days.flatMap { day in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(day).path)) ?? [])
                .filter { $0.hasSuffix(suffix) }.map { root.appendingPathComponent(day).appendingPathComponent($0).path }
        }.sorted()
    }

    /// The lines of a log file that contain `text`.
    public static func lines(of log: URL, containing text: String) -> [String] {
        let content = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return content.split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }
}
