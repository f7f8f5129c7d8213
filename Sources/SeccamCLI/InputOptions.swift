import ArgumentParser
import SeccamEngine

/// Options for opening any source, shared by the commands that read media.
struct InputOptions: ParsableArguments {
    @Option(name: .long, help: "Seconds to wait when connecting and for each packet before giving up.")
    var timeout: Double = 10

    @Option(name: .long, help: "RTSP transport: tcp or udp.")
    var rtspTransport: String = "tcp"

    @Option(name: .customLong("input-option"), help: ArgumentHelp(
        "An FFmpeg demuxer/protocol option KEY=VALUE (repeatable), e.g. video_size=1280x720 for /dev/videoN.",
        valueName: "key=value"))
    var inputOptions: [String] = []

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be greater than 0, got \(timeout)") }
        guard ["tcp", "udp"].contains(rtspTransport) else {
            throw ValidationError("--rtsp-transport must be tcp or udp, got '\(rtspTransport)'")
        }
        for option in inputOptions where !option.contains("=") {
            throw ValidationError("--input-option expects KEY=VALUE, got '\(option)'")
        }
    }

    func demuxerOptions() -> DemuxerOptions {
        var options = DemuxerOptions()
        options.timeout = .milliseconds(Int64(timeout * 1000))
        options.rtspTransport = rtspTransport
        for option in inputOptions {
            let parts = option.split(separator: "=", maxSplits: 1)
            options.formatOptions[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return options
    }
}

extension ClipContainer: ExpressibleByArgument {}
