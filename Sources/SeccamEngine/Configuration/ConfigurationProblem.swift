/// One problem found in a service config file: where it is (key path and line) and why it is wrong.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The key path, e.g. `cameras[1].threshold` (`cameras[1]` is the second camera).
    public var keyPath: String
    /// The line in the file, when known.
    public var line: Int?
    /// What is wrong, in words.
    public var message: String

    public init(keyPath: String, line: Int?, message: String) {
        self.keyPath = keyPath
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = keyPath.isEmpty ? "(top level)" : keyPath
        return line.map { "\(place) (line \($0)): \(message)" } ?? "\(place): \(message)"
    }
}

/// A config file that cannot be used: every problem found, not just the first.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The file the problems are in.
    public var file: String
    public var problems: [ConfigurationProblem]

    public init(file: String, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "\(file): \(count)\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
