import ArgumentParser
import Foundation
import Logging
import SeccamEngine

/// `seccam-engine scan`: dvr-scan's scan with dvr-scan's option names, defaults and output.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find motion events in video files exactly as dvr-scan 1.8.2.1 does (same scores, same events).",
        discussion: "Options keep dvr-scan's names (-t -k -l -tb -tp -df -fs -b -a -R -st -et -dt -c -so -q -o -s -mo -v --logfile --use-pts). "
            + "Times are frames (25), seconds (1.5s) or HH:MM:SS[.nnn]. Several inputs are scanned as one video.")

    @Argument(help: "Video files (several are concatenated).")
    var videos: [String] = []
    @Option(name: [.customShort("i"), .customLong("input")], parsing: .upToNextOption, help: "Video files, as dvr-scan's -i.")
    var input: [String] = []

    @OptionGroup var detection: DetectionArguments
    @OptionGroup var logging: LoggingOptions

    @Flag(name: [.customLong("so", withSingleDash: true), .customLong("scan-only")], help: "Only list events, write no clips.")
    var scanOnly = false
    @Option(name: [.customShort("m"), .customLong("output-mode")], help: "Clip output: copy (stream copy, default) or encode (re-encode with libx264, for -bb/-tc/-fm overlays; opencv is an alias).")
    var outputMode: String?
    @Flag(name: [.customLong("bb", withSingleDash: true), .customLong("bounding-box")], help: "Draw the motion bounding box on encoded clips (-m encode). As in dvr-scan, a smoothing time may follow: -bb 0.2s.")
    var boundingBox = false
    @Option(name: .customLong("bounding-box-smooth-time"), help: "Average the -bb box over this long [0.1s].")
    var boundingBoxSmoothTime: String?
    @Flag(name: [.customLong("tc", withSingleDash: true), .customLong("time-code")], help: "Burn the timecode into encoded clips (-m encode).")
    var timeCode = false
    @Flag(name: [.customLong("fm", withSingleDash: true), .customLong("frame-metrics")], help: "Burn the frame number and score into encoded clips (-m encode).")
    var frameMetrics = false
    @Option(name: [.customShort("d"), .customLong("output-dir")], help: "Folder for clips, their JSON sidecars and thumbnails [current folder].")
    var outputDir: String?
    @Option(name: .long, help: "Clip container: mp4 (default) or mkv (keeps any audio codec).")
    var container: ClipContainer = .mp4
    @Option(name: .long, help: ArgumentHelp("Write a JPEG of each event's highest-scoring frame with the event's bounding box drawn (<stem>.DSME_0001.jpg in -d DIR, also with -so).", valueName: "highscore"))
    var thumbnails: String?
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print only the comma-separated timecodes.")
    var quiet = false
    @Flag(name: .customLong("ignore-user-config"), help: "Accepted for dvr-scan compatibility (no user config is read).")
    var ignoreUserConfig = false
    @Option(name: [.customLong("mo", withSingleDash: true), .customLong("mask-output")],
            help: ArgumentHelp("Write the motion mask of every processed frame as a video (dvr-scan's -mo; MP4 unless the name ends .mkv, .avi or .mov).", valueName: "file"))
    var maskOutput: String?
    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write every event into this one re-encoded file (.mp4 or .mkv; in -d DIR when given) instead of one clip per event.", valueName: "file"))
    var output: String?
    @Option(name: [.customShort("s"), .customLong("save-region")],
            help: ArgumentHelp("Save the regions to this file before scanning (in -d DIR when given; for -R or load-region).", valueName: "file"))
    var saveRegion: String?
    @Option(name: [.customShort("v"), .customLong("verbosity")],
            help: ArgumentHelp("dvr-scan's log verbosity: debug, info, warning or error (same as --log-level).", valueName: "level"))
    var verbosity: Logger.Level?
    @Option(name: .customLong("logfile"), help: ArgumentHelp("Also append the log and the printed result to this file (created if missing).", valueName: "file"))
    var logfile: String?
    @Flag(name: .customLong("use-pts"), help: "dvr-scan's PTS mode: time events by the frames' timestamps instead of frame counts (one input).")
    var usePTS = false
    @Flag(name: .long, help: "Print the result as JSON (events with frames, dvr-scan and real times, peak score, box).")
    var json = false
    @Option(name: .long, help: "Write every processed frame's score to this CSV file (frame,pts,score,above).")
    var scores: String?
    @Option(name: .long, help: "Write an SVG plot of the score over time with the threshold and the events.")
    var plot: String?

    func run() throws {
        let logFile = try logfile.map { try LogFile(path: $0) }
        do { try scan(logFile: logFile) } catch {
            logFile?.append("Error: \(error)\n")
            throw error
        }
    }

    private func scan(logFile: LogFile?) throws {
        var (sources, smoothTime) = splitSmoothingTime(videos + input)
        if let boundingBoxSmoothTime {
            guard smoothTime == nil else { throw ValidationError("-bb: give the smoothing time once (-bb TIME or --bounding-box-smooth-time TIME)") }
            smoothTime = boundingBoxSmoothTime
        }
        guard !sources.isEmpty else { throw ValidationError("no input video: give one or more files (or -i FILE)") }
        var options = try detection.resolve().options
        if usePTS { options.usePresentationTimes = true }
        options.maskOutput = maskOutput
        let chosen = try ScanOutputChoices(self, smoothTime: smoothTime, file: try detection.configFile(), path: detection.config)
        let overlayFlags = [(chosen.boundingBox, "-bb/--bounding-box"), (chosen.timeCode, "-tc/--time-code"),
                            (chosen.frameMetrics, "-fm/--frame-metrics")].filter(\.0).map(\.1)
        if chosen.boundingBoxSmoothTime != nil, !chosen.boundingBox {
            throw ValidationError("--bounding-box-smooth-time needs -bb/--bounding-box")
        }
        if chosen.scanOnly {
            if output != nil { throw ValidationError("-o/--output writes a video, but -so/--scan-only writes none") }
            if let first = overlayFlags.first {
                throw ValidationError("\(first) draws on re-encoded clips, but -so/--scan-only writes no clips; use -m encode instead of -so")
            }
        } else {
            switch chosen.outputMode.lowercased() {
            case "copy":
                if output != nil { throw ValidationError("-o/--output needs -m encode: it joins the events' frames by re-encoding them") }
                if let first = overlayFlags.first {
                    throw ValidationError("\(first) needs -m encode: stream-copied clips (-m copy, the default) cannot be drawn on")
                }
            case "encode", "opencv":
                var encoding = ClipEncoding()
                encoding.boundingBox = chosen.boundingBox
                encoding.timeCode = chosen.timeCode
                encoding.frameMetrics = chosen.frameMetrics
                encoding.singleFile = output.map(chosen.inOutputDir)
                if let smoothTime = chosen.boundingBoxSmoothTime {
                    do { encoding.boundingBoxSmoothTime = try TimeSpec.parse(smoothTime) } catch {
                        throw ValidationError("-bb/--bounding-box-smooth-time: \(error.message)")
                    }
                }
                options.clipEncoding = encoding
            default:
                throw ValidationError("-m/--output-mode: expected copy (stream copy) or encode (re-encode with overlays); got '\(chosen.outputMode)'. Use -so to scan only.")
            }
            options.clips = ClipSettings(directory: chosen.outputDir, container: container)
        }
        if let thumbnails = chosen.thumbnails {
            guard thumbnails.lowercased() == "highscore" else {
                throw ValidationError("--thumbnails: the only method is 'highscore' (as in dvr-scan); got '\(thumbnails)'")
            }
            options.thumbnails = true
            options.thumbnailDirectory = chosen.outputDir
        }
        options.saveRegions = saveRegion.map(chosen.inOutputDir)
        let session = ScanSession(inputs: sources.map(SourceURL.init), options: options,
                                  logger: logging.makeLogger(label: "seccam.scan", level: verbosity, file: logFile))
        let progress = ProgressLine(label: "Scanning")
        let csv = try scores.map(ScoresCSV.init(path:))
        if let plot { try ScorePlot.checkPath(plot) }
        var records: [FrameRecord] = []
        let result = try session.run(
            onFrame: { record in
                csv?.write(record)
                if plot != nil { records.append(record) }
            },
            onProgress: { progress.update(done: $0.framesRead, total: $0.totalFrames, elapsed: $0.elapsedSeconds) })
        progress.finish()
        try csv?.close()
        if let plot {
            try ScorePlot(title: "Motion score — \((sources[0] as NSString).lastPathComponent)", result: result, records: records,
                          threshold: options.detector.threshold).write(to: plot)
        }
        let text = json ? try JSONOutput.encode(result) + "\n" : ScanText.render(result, options: options, firstInput: sources[0], quiet: chosen.quiet)
        print(text, terminator: "")
        logFile?.append(text)
        if !result.warnings.isEmpty { throw CommandFailure(result.warnings.joined(separator: "\n")) }
    }
}

extension ScanCommand {
    /// dvr-scan's `-bb [TIME]` takes an optional smoothing time; swift-argument-parser has no optional-value
    /// options, so with `-bb` a positional word that parses as a time and names no file is taken as that time.
    func splitSmoothingTime(_ words: [String]) -> (sources: [String], smoothTime: String?) {
        guard boundingBox else { return (words, nil) }
        var sources: [String] = []
        var smoothTime: String?
        for word in words {
            if smoothTime == nil, !FileManager.default.fileExists(atPath: word), (try? TimeSpec.parse(word)) != nil {
                smoothTime = word
            } else {
                sources.append(word)
            }
        }
        return (sources, smoothTime)
    }
}
