import ArgumentParser
import SeccamEngine

/// dvr-scan's detection and event options, shared by `scan` and `tune`. Values are parsed with the tuning
/// grid's single-value rules, so a flag and a grid key accept exactly the same text.
struct DetectionArguments: ParsableArguments {
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

    /// The `-c` file, parsed; nil without `-c`.
    func configFile() throws -> DvrScanConfigFile? {
        guard let config else { return nil }
        do { return try DvrScanConfigFile(path: config) } catch { throw ValidationError(error.description) }
    }

    /// The scan options the flags give (defaults, then the config file, then the flags, as dvr-scan does),
    /// and the flags as scan command-line words, keyed by the grid key they set (nil for others).
    func resolve() throws -> (options: ScanOptions, arguments: [(key: TuningKey?, words: [String])]) {
        var options = ScanOptions()
        var arguments: [(key: TuningKey?, words: [String])] = []
        if let config, let file = try configFile() {
            do { try file.apply(to: &options) } catch { throw ValidationError("\(config): \(error.description)") }
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
}
