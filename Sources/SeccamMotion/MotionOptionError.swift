/// An invalid detector or event option, named the way dvr-scan names it.
public struct MotionOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option's dvr-scan name, e.g. `kernel-size`.
    public var option: String
    /// What is wrong with the value.
    public var message: String

    /// Creates an error for `option`.
    public init(option: String, message: String) {
        self.option = option
        self.message = message
    }

    /// `"option: message"`, e.g. `kernel-size: must be -1 (auto), 0 (off) or an odd number >= 3, got 4`.
    public var description: String { "\(option): \(message)" }
}
