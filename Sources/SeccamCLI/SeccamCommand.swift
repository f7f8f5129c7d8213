import ArgumentParser

@main
struct SeccamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seccam-engine",
        abstract: "Security-camera engine: in-process FFmpeg decoding, dvr-scan-compatible motion detection.",
        version: "0.1.0",
        subcommands: [ScanCommand.self, RunCommand.self, ConfigCommand.self, ProbeCommand.self, TuneCommand.self, UploadCommand.self, SpoolCommand.self]
    )

    /// Joins dvr-scan's multi-value region arguments before ArgumentParser sees them.
    static func main() {
        main(RegionArguments.rewrite(Array(CommandLine.arguments.dropFirst())))
    }
}
