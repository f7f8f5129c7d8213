import ArgumentParser

/// A failure to report without the usage text: printed as `Error: <message>`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
