import ArgumentParser
import Foundation
import SeccamEngine

/// What a scan writes and prints: each command-line flag, else the `-c` file's output key (dvr-scan's names:
/// `scan-only`, `quiet-mode`, `output-dir`, `output-mode`, `thumbnails`, `bounding-box`,
/// `bounding-box-smooth-time`, `time-code`, `frame-metrics`), else the default. As in dvr-scan, the command line wins.
struct ScanOutputChoices {
    var scanOnly: Bool
    var quiet: Bool
    var outputDir: String
    var outputMode: String
    var thumbnails: String?
    var boundingBox: Bool
    var boundingBoxSmoothTime: String?
    var timeCode: Bool
    var frameMetrics: Bool

    /// A file option's path (`-o`, `-s`) as dvr-scan resolves it: a relative path is in the output folder.
    func inOutputDir(_ path: String) -> String {
        path.hasPrefix("/") ? path : (outputDir as NSString).appendingPathComponent(path)
    }

    /// - Throws: `ValidationError` naming the file and key for a yes/no key with another value.
    init(_ command: ScanCommand, smoothTime: String?, file: DvrScanConfigFile?, path: String?) throws {
        func flag(_ given: Bool, _ key: String) throws -> Bool {
            guard !given, let file else { return given }
            do { return try file.flag(key) ?? false } catch { throw ValidationError("\(path ?? ""): \(error.description)") }
        }
        scanOnly = try flag(command.scanOnly, "scan-only")
        quiet = try flag(command.quiet, "quiet-mode")
        outputDir = command.outputDir ?? file?.values["output-dir"] ?? "."
        // -o alone means re-encoding, dvr-scan's own default mode (its copy and ffmpeg modes refuse -o).
        outputMode = command.outputMode ?? file?.values["output-mode"] ?? (command.output != nil ? "encode" : "copy")
        thumbnails = command.thumbnails ?? file?.values["thumbnails"]
        boundingBox = try flag(command.boundingBox, "bounding-box")
        boundingBoxSmoothTime = smoothTime ?? file?.values["bounding-box-smooth-time"]
        timeCode = try flag(command.timeCode, "time-code")
        frameMetrics = try flag(command.frameMetrics, "frame-metrics")
    }
}
