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

    @OptionGroup var detection: DetectionArguments

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
        let base = try detection.resolve()
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
