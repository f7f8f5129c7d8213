import ArgumentParser

@main
struct SeccamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seccam-engine",
        abstract: "Security-camera engine: in-process FFmpeg decoding, dvr-scan-compatible motion detection.",
        version: "0.1.0",
        subcommands: [ProbeCommand.self]
    )
}
