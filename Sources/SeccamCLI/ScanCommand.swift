import ArgumentParser
import Foundation
import SeccamEngine

/// `seccam-engine scan`: dvr-scan's scan with dvr-scan's option names, defaults and output.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find motion events in video files exactly as dvr-scan 1.8.2.1 does (same scores, same events).",
        discussion: "Options keep dvr-scan's names (-t -k -l -tb -tp -df -fs -b -a -R -st -et -dt -c -so -q). "
            + "Times are frames (25), seconds (1.5s) or HH:MM:SS[.nnn]. Several inputs are scanned as one video.")

    @Argument(help: "Video files (several are concatenated).")
    var videos: [String] = []
    @Option(name: [.customShort("i"), .customLong("input")], parsing: .upToNextOption, help: "Video files, as dvr-scan's -i.")
    var input: [String] = []

    @Option(name: [.customShort("c"), .customLong("config")], help: "dvr-scan config file (key = value).")
    var config: String?
    @Option(name: [.customShort("b"), .customLong("bg-subtractor")], help: "MOG2 (default) or CNT.")
    var bgSubtractor: String?
    @Option(name: [.customShort("t"), .customLong("threshold")], help: "Score threshold for motion [0.15].")
    var threshold: Double?
    @Option(name: [.customShort("k"), .customLong("kernel-size")], help: "Noise filter: -1 auto, 0 off, odd >= 3 [-1].")
    var kernelSize: Int?
    @Option(name: [.customShort("l"), .customLong("min-event-length")], help: "Motion needed to start an event [0.1s].")
    var minEventLength: String?
    @Option(name: [.customLong("tb", withSingleDash: true), .customLong("time-before-event")], help: "Pre-roll [1.5s].")
    var timeBeforeEvent: String?
    @Option(name: [.customLong("tp", withSingleDash: true), .customLong("time-post-event")], help: "Time after motion ends [2.0s].")
    var timePostEvent: String?
    @Option(name: [.customLong("df", withSingleDash: true), .customLong("downscale-factor")], help: "Use every Nth pixel [0 = 1].")
    var downscaleFactor: Int?
    @Option(name: [.customLong("fs", withSingleDash: true), .customLong("frame-skip")], help: "Frames skipped after each processed one [0].")
    var frameSkip: Int?
    @Option(name: [.customShort("a"), .customLong("add-region")], help: ArgumentHelp("Region polygon X0 Y0 X1 Y1 X2 Y2 … (repeatable).", valueName: "points"))
    var addRegion: [String] = []
    @Option(name: [.customShort("R"), .customLong("load-region")], help: "Region file, one polygon per line (repeatable).")
    var loadRegion: [String] = []
    @Option(name: .customLong("roi", withSingleDash: true), help: .hidden)
    var roi: [String] = []
    @Option(name: .customLong("zone"), help: ArgumentHelp(
        "Named region with its own threshold, NAME[@THRESHOLD]=X0 Y0 X1 Y1 X2 Y2 … (repeatable; beyond dvr-scan).", valueName: "zone"))
    var zones: [String] = []
    @Option(name: [.customLong("st", withSingleDash: true), .customLong("start-time")], help: "Start time.")
    var startTime: String?
    @Option(name: [.customLong("et", withSingleDash: true), .customLong("end-time")], help: "End time.")
    var endTime: String?
    @Option(name: [.customLong("dt", withSingleDash: true), .customLong("duration")], help: "Duration (overrides -et).")
    var duration: String?

    @Flag(name: [.customLong("so", withSingleDash: true), .customLong("scan-only")], help: "Only list events, write no clips.")
    var scanOnly = false
    @Option(name: [.customShort("m"), .customLong("output-mode")], help: "Clip output: copy (stream copy, default).")
    var outputMode: String = "copy"
    @Option(name: [.customShort("d"), .customLong("output-dir")], help: "Folder for clips and their JSON sidecars [current folder].")
    var outputDir: String = "."
    @Option(name: .long, help: "Clip container: mp4 (default) or mkv (keeps any audio codec).")
    var container: ClipContainer = .mp4
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the comma-separated timecodes.")
    var quiet = false
    @Flag(name: .customLong("ignore-user-config"), help: "Accepted for dvr-scan compatibility (no user config is read).")
    var ignoreUserConfig = false
    @Flag(name: .long, help: "Print the result as JSON (events with frames, dvr-scan and real times, peak score, box).")
    var json = false
    @Option(name: .long, help: "Write every processed frame's score to this CSV file (frame,pts,score,above).")
    var scores: String?
    @OptionGroup var inputOptions: InputOptions

    func run() throws {
        let sources = videos + input
        guard !sources.isEmpty else { throw ValidationError("no input video: give one or more files (or -i FILE)") }
        var options = try scanOptions()
        if !scanOnly {
            guard outputMode.lowercased() == "copy" else {
                throw ValidationError("-m/--output-mode: only 'copy' (stream copy, no re-encoding) is implemented; got '\(outputMode)'. Use -so to scan only.")
            }
            options.clips = ClipSettings(directory: outputDir, container: container)
        }
        let session = ScanSession(inputs: sources.map(SourceURL.init), options: options)
        let progress = ProgressLine(label: "Scanning")
        let csv = try scores.map(ScoresCSV.init(path:))
        let result = try session.run(
            onFrame: csv.map { writer in { writer.write($0) } },
            onProgress: { progress.update(done: $0.framesRead, total: $0.totalFrames, elapsed: $0.elapsedSeconds) })
        progress.finish()
        try csv?.close()
        if json {
            print(try JSONOutput.encode(result))
        } else {
            print(ScanText.render(result, options: options, firstInput: sources[0], quiet: quiet), terminator: "")
        }
        if !result.warnings.isEmpty { throw CommandFailure(result.warnings.joined(separator: "\n")) }
    }

    /// Defaults, then the config file, then the command line (dvr-scan's precedence).
    func scanOptions() throws -> ScanOptions {
        var options = ScanOptions()
        if let config { try DvrScanConfigFile(path: config).apply(to: &options) }
        func time(_ text: String?, _ option: String) throws -> TimeSpec? {
            guard let text else { return nil }
            do { return try TimeSpec.parse(text) } catch { throw ValidationError("\(option): \(error.message)") }
        }
        if let threshold { options.detector.threshold = threshold }
        if let kernelSize { options.detector.kernelSize = kernelSize }
        if let downscaleFactor { options.detector.downscaleFactor = downscaleFactor }
        if let frameSkip { options.frameSkip = frameSkip }
        if let bgSubtractor {
            guard let kind = SubtractorKind.allCases.first(where: { $0.rawValue.lowercased() == bgSubtractor.lowercased() }) else {
                throw ValidationError("-b/--bg-subtractor: expected MOG2 or CNT, got '\(bgSubtractor)'")
            }
            options.detector.subtractor = kind
        }
        if let v = try time(minEventLength, "-l/--min-event-length") { options.minEventLength = v }
        if let v = try time(timeBeforeEvent, "-tb/--time-before-event") { options.timeBeforeEvent = v }
        if let v = try time(timePostEvent, "-tp/--time-post-event") { options.timePostEvent = v }
        options.startTime = try time(startTime, "-st/--start-time")
        options.endTime = try time(endTime, "-et/--end-time")
        options.duration = try time(duration, "-dt/--duration")
        var regions: [Region] = []
        for text in addRegion { regions.append(try RegionFile.polygon(RegionArguments.numbers(text), context: "-a/--add-region")) }
        for path in loadRegion { regions += try RegionFile.load(path: path) }
        for text in roi {
            let v = RegionArguments.numbers(text).compactMap(Int.init)
            guard v.count == 4, v.allSatisfy({ $0 >= 0 }) else { throw ValidationError("-roi expects X Y W H, got '\(text)'") }
            regions.append(.rectangle(x: v[0], y: v[1], width: v[2], height: v[3]))
        }
        for zone in zones { regions.append(try RegionArguments.zone(zone)) }
        if !regions.isEmpty { options.detector.regions = regions }
        options.demuxer = inputOptions.demuxerOptions()
        do { try options.validate() } catch { throw ValidationError(error.description) }
        return options
    }
}
