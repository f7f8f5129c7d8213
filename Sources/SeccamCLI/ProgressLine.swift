import Foundation

/// A one-line progress display on stderr, redrawn in place, only when stderr is a terminal.
final class ProgressLine {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private var drawn = false

    init(label: String) { self.label = label }

    func update(done: Int, total: Int?, elapsed: Double) {
        guard enabled else { return }
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "\(label): \(done)"
        if let total, total > 0 { text += String(format: "/%d frames (%.0f%%)", total, 100 * Double(done) / Double(total)) } else { text += " frames" }
        text += String(format: ", %.0f fps", rate)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        drawn = true
    }

    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
