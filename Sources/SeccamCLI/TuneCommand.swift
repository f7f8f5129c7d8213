import ArgumentParser
import Foundation
import SeccamEngine

/// `seccam-engine tune`: tries a grid of detection settings on one video, decoding it once, and ranks them
/// against ground-truth labels.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Try a grid of detection settings on a video (decoded once) and rank them against labelled intervals.",
        discussion: """
            --grid is KEY=VALUES parts separated by ';'. VALUES is a comma list of values or inclusive \
            START:STOP:STEP ranges, e.g. "threshold=0.05:0.5:0.05;kernel-size=0,3,5;min-event-length=0.1s,0.5s". \
            Keys: \(TuningKey.allCases.map(\.rawValue).joined(separator: ", ")). Time ranges need seconds on every \
            bound (0.1s:1s:0.1s). At most \(TuningGrid.maxCombinations) combinations.
            --truth is a JSON list of {"start": S, "end": S} intervals (seconds, "12.5s" or "HH:MM:SS.nnn"); see \
            Fixtures/labels/README.md. With it settings are ranked by event-overlap F1, then precision, then fewer \
            events, and the scan command of the best one is printed. The other options are scan's and apply to \
            every setting (a grid key overrides the same option).
            """)

    @Argument(help: "Video files (several are concatenated, as in scan).")
    var videos: [String] = []
    @Option(name: [.customShort("i"), .customLong("input")], parsing: .upToNextOption, help: "Video files, as dvr-scan's -i.")
    var input: [String] = []

    @Option(name: .long, help: ArgumentHelp("Settings to try, KEY=VALUES;KEY=VALUES…", valueName: "grid"))
    var grid: String
    @Option(name: .long, help: ArgumentHelp("Ground-truth intervals (JSON) to rank the settings against.", valueName: "labels.json"))
    var truth: String?
    @Option(name: .long, help: ArgumentHelp("Write the best setting's scores, events and labels as an SVG plot.", valueName: "out.svg"))
    var plot: String?
    @Option(name: .long, help: "Show only the best N settings (0 = all) [20].")
    var top = 20
    @Flag(name: .long, help: "Print the result as JSON (every setting, ranked, with metrics, events and its scan command).")
    var json = false

    @Option(name: [.customShort("c"), .customLong("config")], help: "dvr-scan config file (key = value).")
    var config: String?
    @Option(name: [.customShort("b"), .customLong("bg-subtractor")], help: "MOG2 (default) or CNT.")
    var bgSubtractor: String?
    @Option(name: [.customShort("t"), .customLong("threshold")], help: "Score threshold for motion [0.15].")
    var threshold: String?
    @Option(name: [.customShort("k"), .customLong("kernel-size")], help: "Noise filter: -1 auto, 0 off, odd >= 3 [-1].")
    var kernelSize: String?
    @Option(name: [.customShort("l"), .customLong("min-event-length")], help: "Motion needed to start an event [0.1s].")
    var minEventLength: String?
    @Option(name: [.customLong("tb", withSingleDash: true), .customLong("time-before-event")], help: "Pre-roll [1.5s].")
    var timeBeforeEvent: String?
    @Option(name: [.customLong("tp", withSingleDash: true), .customLong("time-post-event")], help: "Time after motion ends [2.0s].")
    var timePostEvent: String?
    @Option(name: [.customLong("df", withSingleDash: true), .customLong("downscale-factor")], help: "Use every Nth pixel [0 = 1].")
    var downscaleFactor: String?
    @Option(name: [.customLong("fs", withSingleDash: true), .customLong("frame-skip")], help: "Frames skipped after each processed one [0].")
    var frameSkip: String?
    @Option(name: [.customShort("a"), .customLong("add-region")], help: ArgumentHelp("Region polygon X0 Y0 X1 Y1 X2 Y2 … (repeatable).", valueName: "points"))
    var addRegion: [String] = []
    @Option(name: [.customShort("R"), .customLong("load-region")], help: "Region file, one polygon per line (repeatable).")
    var loadRegion: [String] = []
    @Option(name: .customLong("roi", withSingleDash: true), help: ArgumentHelp("Rectangle X Y W H (repeatable).", valueName: "x y w h"))
    var roi: [String] = []
    @Option(name: .customLong("zone"), help: ArgumentHelp("Named region NAME[@THRESHOLD]=X0 Y0 X1 Y1 … (repeatable).", valueName: "zone"))
    var zones: [String] = []
    @Option(name: [.customLong("st", withSingleDash: true), .customLong("start-time")], help: "Start time.")
    var startTime: String?
    @Option(name: [.customLong("et", withSingleDash: true), .customLong("end-time")], help: "End time.")
    var endTime: String?
    @Option(name: [.customLong("dt", withSingleDash: true), .customLong("duration")], help: "Duration (overrides -et).")
    var duration: String?
    @OptionGroup var inputOptions: InputOptions

    func run() throws {
        let sources = videos + input
        guard !sources.isEmpty else { throw ValidationError("no input video: give one or more files (or -i FILE)") }
        let parsedGrid: TuningGrid
        do { parsedGrid = try TuningGrid(parsing: grid) } catch { throw ValidationError(error.description) }
        let labels: [LabelledInterval]?
        do throws(LabelFileError) {
            labels = try truth.map { (path: String) throws(LabelFileError) in try TuningLabels.load(path: path) }
        } catch { throw CommandFailure(error.description) }
        if let plot {
            do { try ScorePlot.checkPath(plot) } catch { throw ValidationError("--plot: \(error.description)") }
        }
        let base = try baseOptions()
        let settings = parsedGrid.settings
        let session = TuneSession(inputs: sources.map(SourceURL.init), base: base.options, settings: settings, labels: labels)
        let progress = ProgressLine(label: "Tuning \(settings.count) settings")
        let result: TuneResult
        do {
            result = try session.run(onProgress: { progress.update(done: $0.framesRead, total: $0.totalFrames, elapsed: $0.elapsedSeconds) })
        } catch let error as MotionOptionError {
            progress.finish()
            throw ValidationError(error.description)
        }
        progress.finish()

        let ordered = labels == nil ? result.outcomes : result.ranked
        let shown = top > 0 ? Array(ordered.prefix(top)) : ordered
        let command = { (o: TuningOutcome) in Self.scanCommand(sources: sources, base: base.arguments, setting: o.setting) }
        if json {
            print(try JSONOutput.encode(TuneJSON(result: result, ordered: shown, labels: labels, command: command)))
        } else {
            print(TuneText.render(result, ordered: shown, total: ordered.count, labels: labels, truthPath: truth,
                                  firstInput: sources[0], command: command), terminator: "")
        }
        if let plot, let best = ordered.first {
            let title = "\((sources[0] as NSString).lastPathComponent): \(best.setting)"
            try ScorePlot(title: title, fps: result.framesPerSecond, scores: result.tracks[best.track].points,
                          threshold: best.options.detector.threshold,
                          events: best.events.map { ($0.startSeconds, $0.endSeconds) },
                          labels: (labels ?? []).map { ($0.start, $0.end) }).write(to: plot)
            if !json { print("[seccam] Plot of \(labels == nil ? "the first" : "the best") setting written to \(plot)") }
        }
        if !result.warnings.isEmpty { throw CommandFailure(result.warnings.joined(separator: "\n")) }
    }

    /// The options every setting starts from (defaults, then the config file, then the flags, as scan does)
    /// and the flags that give them on a scan command line, keyed by the grid key they set (nil for others).
    func baseOptions() throws -> (options: ScanOptions, arguments: [(key: TuningKey?, words: [String])]) {
        var options = ScanOptions()
        var arguments: [(key: TuningKey?, words: [String])] = []
        if let config {
            do { try DvrScanConfigFile(path: config).apply(to: &options) } catch { throw ValidationError(error.description) }
            arguments.append((nil, ["-c", config]))
        }
        let flags: [(TuningKey, String?)] = [
            (.bgSubtractor, bgSubtractor), (.threshold, threshold), (.kernelSize, kernelSize),
            (.downscaleFactor, downscaleFactor), (.frameSkip, frameSkip), (.minEventLength, minEventLength),
            (.timeBeforeEvent, timeBeforeEvent), (.timePostEvent, timePostEvent),
        ]
        for (key, text) in flags {
            guard let text else { continue }
            let one: TuningGrid
            do { one = try TuningGrid(parsing: "\(key.rawValue)=\(text)") } catch {
                throw ValidationError("\(key.scanFlag!)/--\(key.rawValue): \(error.message)")
            }
            guard let setting = one.settings.first, one.settings.count == 1 else {
                throw ValidationError("\(key.scanFlag!)/--\(key.rawValue): expected one value, got '\(text)'")
            }
            options = setting.applied(to: options)
            arguments.append((key, setting.scanArguments))
        }
        func time(_ text: String?, _ flag: String) throws -> TimeSpec? {
            guard let text else { return nil }
            do { return try TimeSpec.parse(text) } catch { throw ValidationError("\(flag): \(error.message)") }
        }
        options.startTime = try time(startTime, "-st/--start-time")
        options.endTime = try time(endTime, "-et/--end-time")
        options.duration = try time(duration, "-dt/--duration")
        for (flag, value) in [("-st", startTime), ("-et", endTime), ("-dt", duration)] {
            if let value { arguments.append((nil, [flag, value])) }
        }
        var regions: [Region] = []
        for text in addRegion {
            regions.append(try RegionFile.polygon(RegionArguments.numbers(text), context: "-a/--add-region"))
            arguments.append((nil, ["-a"] + RegionArguments.numbers(text)))
        }
        for path in loadRegion {
            regions += try RegionFile.load(path: path)
            arguments.append((nil, ["-R", path]))
        }
        for text in roi {
            let v = RegionArguments.numbers(text).compactMap(Int.init)
            guard v.count == 4, v.allSatisfy({ $0 >= 0 }) else { throw ValidationError("-roi expects X Y W H, got '\(text)'") }
            regions.append(.rectangle(x: v[0], y: v[1], width: v[2], height: v[3]))
            arguments.append((nil, ["-roi"] + v.map(String.init)))
        }
        for zone in zones {
            regions.append(try RegionArguments.zone(zone))
            arguments.append((nil, ["--zone", zone]))
        }
        if !regions.isEmpty { options.detector.regions = regions }
        options.demuxer = inputOptions.demuxerOptions()
        if inputOptions.timeout != 10 { arguments.append((nil, ["--timeout", String(inputOptions.timeout)])) }
        if inputOptions.rtspTransport != "tcp" { arguments.append((nil, ["--rtsp-transport", inputOptions.rtspTransport])) }
        for option in inputOptions.inputOptions { arguments.append((nil, ["--input-option", option])) }
        do { try options.validate() } catch { throw ValidationError(error.description) }
        return (options, arguments)
    }

    /// `seccam-engine scan … -so` with the base flags (minus those the grid sets) and the setting's flags.
    static func scanCommand(sources: [String], base: [(key: TuningKey?, words: [String])], setting: TuningSetting) -> String {
        let varied = Set(setting.assignments.map(\.key))
        var words = ["seccam-engine", "scan"] + sources + ["-so"]
        for argument in base where argument.key.map({ !varied.contains($0) }) ?? true { words += argument.words }
        words += setting.scanArguments
        return words.map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,")
        if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// The text report of `tune`.
enum TuneText {
    static func render(_ r: TuneResult, ordered: [TuningOutcome], total: Int, labels: [LabelledInterval]?, truthPath: String?,
                       firstInput: String, command: (TuningOutcome) -> String) -> String {
        let name = (firstInput as NSString).lastPathComponent
        var lines = [
            "[seccam] Opened video \(name) (\(r.width) x \(r.height) at \(String(format: "%2.3f", r.framesPerSecond)) FPS).",
            String(format: "[seccam] Tried %d settings with %d detector run%@ over %d frames decoded once in %.1f secs.",
                   r.outcomes.count, r.tracks.count, r.tracks.count == 1 ? "" : "s", r.framesRead, r.elapsedSeconds),
        ]
        if r.decodeErrors > 0 { lines.append("[seccam] \(r.decodeErrors) packets could not be decoded and were skipped.") }
        if let labels, let truthPath {
            lines.append("[seccam] Ranked against \(labels.count) labelled intervals from \(truthPath) (event-overlap F1, then precision, then fewer events).")
        } else {
            lines.append("[seccam] No --truth given: settings in grid order, with their event counts.")
        }
        if ordered.count < total { lines.append("[seccam] Showing the first \(ordered.count) of \(total) settings (--top).") }
        var table: [[String]] = []
        if labels != nil {
            table.append(["rank", "F1", "precision", "recall", "events", "event time", "setting"])
            for (i, o) in ordered.enumerated() {
                let m = o.metrics
                table.append(["\(i + 1)", String(format: "%.3f", m.f1 ?? 0),
                              String(format: "%.3f (%d/%d)", m.precision ?? 0, m.matchedEvents ?? 0, m.events),
                              String(format: "%.3f (%d/%d)", m.recall ?? 0, m.foundLabels ?? 0, m.labels ?? 0),
                              "\(m.events)", String(format: "%.1f s", m.eventSeconds), o.setting.description])
            }
        } else {
            table.append(["#", "events", "event time", "setting"])
            for o in ordered {
                table.append(["\(o.index + 1)", "\(o.metrics.events)", String(format: "%.1f s", o.metrics.eventSeconds), o.setting.description])
            }
        }
        let widths = table[0].indices.map { c in table.map { $0[c].count }.max()! }
        for row in table {
            let cells = row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : (c == 0 || c >= row.count - 3
                    ? String(repeating: " ", count: widths[c] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[c] - cell.count))
            }
            lines.append(cells.joined(separator: "  "))
        }
        if labels != nil, let best = ordered.first {
            lines.append("[seccam] Best setting: \(best.setting)")
            lines.append(command(best))
            let config = best.setting.configOnlyLines
            if !config.isEmpty {
                lines.append("[seccam] with these config-only keys in a dvr-scan config file (-c): \(config.joined(separator: ", "))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `tune --json`.
struct TuneJSON: Encodable {
    struct Setting: Encodable {
        var rank: Int
        var index: Int
        var setting: [String: String]
        var metrics: TuningMetrics
        var events: [Event]
        var scanCommand: String
        var configOnly: [String]
    }
    struct Event: Encodable {
        var startFrame: Int
        var endFrame: Int
        var startSeconds: Double
        var endSeconds: Double
        var peakScore: Double
    }
    var inputs: [String]
    var width: Int
    var height: Int
    var framesPerSecond: Double
    var framesRead: Int
    var detectorRuns: Int
    var elapsedSeconds: Double
    var labels: [LabelledInterval]?
    var settings: [Setting]
    var warnings: [String]

    init(result r: TuneResult, ordered: [TuningOutcome], labels: [LabelledInterval]?, command: (TuningOutcome) -> String) {
        inputs = r.inputs
        width = r.width
        height = r.height
        framesPerSecond = r.framesPerSecond
        framesRead = r.framesRead
        detectorRuns = r.tracks.count
        elapsedSeconds = r.elapsedSeconds
        self.labels = labels
        warnings = r.warnings
        settings = ordered.enumerated().map { rank, o in
            Setting(rank: rank + 1, index: o.index,
                    setting: Dictionary(uniqueKeysWithValues: o.setting.assignments.map { ($0.key.rawValue, $0.value.text) }),
                    metrics: o.metrics,
                    events: o.events.map { Event(startFrame: $0.startFrame, endFrame: $0.endFrame, startSeconds: $0.startSeconds,
                                                 endSeconds: $0.endSeconds, peakScore: $0.peakScore) },
                    scanCommand: command(o), configOnly: o.setting.configOnlyLines)
        }
    }
}
