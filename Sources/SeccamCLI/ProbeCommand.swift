import ArgumentParser
import Foundation
import SeccamEngine

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Describe a video file, camera URL or capture device: container, streams, keyframe interval."
    )

    @Argument(help: "A file path, rtsp:// or http(s):// URL, or /dev/videoN.")
    var source: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var input: InputOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .long, help: "Seconds of video to read when measuring the keyframe interval.")
    var keyframeScan: Double = 10

    @Flag(name: .long, help: "Also decode the whole input and count frames and decode errors (like ffprobe -count_frames).")
    var countFrames = false

    func run() throws {
        _ = logging.makeLogger(label: "seccam.probe")
        let report = try ProbeReport.probe(
            SourceURL(source), options: input.demuxerOptions(), keyframeScanSeconds: keyframeScan,
            countFrames: countFrames)
        if json {
            print(try JSONOutput.encode(report))
        } else {
            print(ProbeText.render(report), terminator: "")
        }
        if let truncation = report.truncation {
            throw CommandFailure("\(report.source): \(truncation)")
        }
    }
}
