import ArgumentParser
import Dispatch
import Foundation
import SeccamEngine

/// `seccam-engine run`: watch live cameras, record a clip per motion event, never stop.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch live cameras and record each motion event as a clip (stream copy, with pre-roll).",
        discussion: """
            Each --camera NAME=URL runs on its own thread with dvr-scan's detection options; clips and JSON \
            sidecars go to OUTPUT/NAME/YYYY-MM-DD/. A camera that fails, ends or stalls (no packet for \
            --stall-timeout seconds) is reconnected with exponential backoff (1 s to 60 s). SIGTERM or SIGINT \
            stops reading, finishes open clips and exits 0. Keep passwords out of the process list by writing \
            ${VARIABLE} in the URL (in single quotes) and exporting the variable: \
            --camera 'door=rtsp://admin:${DOOR_PASSWORD}@192.168.1.20/stream1'.
            """)

    @Option(name: .customLong("camera"), help: ArgumentHelp("A camera NAME=URL (repeatable).", valueName: "name=url"))
    var cameras: [String] = []
    @Option(name: .long, help: "Folder for clips (OUTPUT/<camera>/<YYYY-MM-DD>/).")
    var output: String
    @Option(name: .long, help: "Clip container: mp4 (default) or mkv.")
    var container: ClipContainer = .mp4
    @Option(name: .long, help: "Seconds without a packet before a camera counts as stalled and is reconnected [10].")
    var stallTimeout: Double = 10
    @OptionGroup var detection: DetectionArguments
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard !cameras.isEmpty else { throw ValidationError("give at least one --camera NAME=URL") }
        var names = Set<String>()
        for camera in cameras {
            let parts = camera.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--camera expects NAME=URL, got '\(SourceURL.redact(camera))'")
            }
            guard parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ValidationError("--camera name '\(parts[0])' may use only letters, digits, - and _")
            }
            guard names.insert(parts[0]).inserted else { throw ValidationError("--camera name '\(parts[0])' is used twice") }
        }
        guard stallTimeout > 0 else { throw ValidationError("--stall-timeout must be greater than 0") }
    }

    func run() throws {
        let logger = logging.makeLogger(label: "seccam.run")
        var base = try detection.resolve().options
        base.demuxer.timeout = .milliseconds(Int64(stallTimeout * 1000))
        let specs = try cameras.map { text -> CameraSpec in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            return CameraSpec(name: parts[0], source: SourceURL(try Self.expandingEnvironment(parts[1])), options: base)
        }
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stopRequested = DispatchSemaphore(value: 0)
        let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopRequested.signal() }
            source.resume()
            return source
        }
        let service = CameraService(cameras: specs, outputDirectory: output, container: container, logger: logger)
        service.start()
        logger.notice("recording", metadata: ["cameras": "\(specs.map(\.name).joined(separator: ","))", "output": "\(output)"])
        stopRequested.wait()
        logger.notice("stopping: finishing open clips")
        let stopped = service.stop(timeout: 9)
        sources.forEach { $0.cancel() }
        if !stopped { throw CommandFailure("some cameras did not stop within 10 s") }
    }

    /// Replaces `${NAME}` with the environment variable NAME (so secrets stay out of the process list).
    static func expandingEnvironment(_ text: String) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw ValidationError("unclosed ${ in a camera URL") }
            let name = String(rest[open.upperBound..<close])
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw ValidationError("environment variable \(name), used in a camera URL, is not set")
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
