import Foundation
import Logging

/// `scan -m copy`: one clip per event, cut by stream copy from the scanned input while it is decoded,
/// named `<stem>.DSME_0001.mp4` as dvr-scan names them, each with a JSON sidecar (``EventRecord``).
final class ClipOutput {
    let recorder: ClipRecorder
    private let settings: ClipSettings
    private let stem: String
    private let sourceName: String
    private let fps: Double
    private let requestedPreRoll: Double
    /// The event whose clip still waits for the frames up to its end to be decoded.
    private var pending: (event: Int, endFrame: Int, motionFrame: Int)?
    /// Clip and sidecar paths of the event being recorded.
    private var paths: (clip: String, sidecar: String)?
    private let wallClockOrigin: Date?
    private let eventHandler: (@Sendable (ScanEventNotice) -> Void)?

    init(settings: ClipSettings, inputs: [SourceURL], source: ConcatenatedFrames, fps: Double, options: ScanOptions,
         minimumFrames: Int, scoringLag: Int, logger: Logger) throws {
        guard inputs.count == 1 else {
            throw ScanInputError(description: "clip output (-m copy) takes a single input video, as dvr-scan's does")
        }
        self.settings = settings
        self.fps = fps
        sourceName = inputs[0].redacted
        stem = ((inputs[0].redacted as NSString).lastPathComponent as NSString).deletingPathExtension
        requestedPreRoll = Double(options.timeBeforeEvent.frames(fps: fps)) / fps
        wallClockOrigin = options.wallClockOrigin
        eventHandler = options.eventHandler
        for folder in Self.clipFolders(settings) { ClipFiles.recover(in: folder, logger: logger) }
        // An event is known `scoringLag` frames after its last frame was decoded (``ScoringPipeline``).
        let window = options.timeBeforeEvent.frames(fps: fps) + (minimumFrames + 1) * (options.frameSkip + 1) + scoringLag
        recorder = try ClipRecorder(demuxer: source.demuxer, settings: settings,
                                    retentionSeconds: Double(window) / fps + 1, logger: logger)
    }

    /// The folders clips of these settings go to: the output folder, or every dated folder of the camera.
    private static func clipFolders(_ settings: ClipSettings) -> [String] {
        guard let camera = settings.camera else { return [settings.directory] }
        let root = (settings.directory as NSString).appendingPathComponent(camera)
        let days = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return days.map { (root as NSString).appendingPathComponent($0) }
    }

    /// dvr-scan's names for a file scan; dated per-camera folders and UTC times for a live camera.
    private func paths(number: Int, startSeconds: Double) -> (clip: String, sidecar: String) {
        let ext = settings.container.fileExtension
        guard let camera = settings.camera else {
            let base = (settings.directory as NSString).appendingPathComponent(String(format: "%@.DSME_%04d", stem, number))
            return (base + "." + ext, base + ".json")
        }
        let start = (wallClockOrigin ?? Date()).addingTimeInterval(startSeconds)
        let day = start.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        let time = start.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
            .dateSeparator(.omitted).timeSeparator(.omitted))
        let folder = ((settings.directory as NSString).appendingPathComponent(camera) as NSString).appendingPathComponent(day)
        let base = (folder as NSString).appendingPathComponent("\(camera)-\(time)")
        return (base + "." + ext, base + ".json")
    }

    private func wallClock(_ seconds: Double) -> String? {
        wallClockOrigin.map { $0.addingTimeInterval(seconds).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
    }

    /// The path of the latest event's clip (final name), once an event started.
    var clipPath: String? { paths?.clip }

    func eventStarted(number: Int, startFrame: Int, source: ConcatenatedFrames) throws {
        let paths = paths(number: number, startSeconds: source.ptsSeconds(ofFrame: startFrame))
        self.paths = paths
        let path = paths.clip
        guard let start = source.timestamp(ofFrame: startFrame) ?? source.timestamp(ofFrame: source.position - 1) else {
            throw ScanInputError(description: "\(sourceName): frame \(startFrame) has no timestamp; cannot cut a clip")
        }
        try recorder.start(path: path, at: start)
    }

    func eventContinues(throughFrame index: Int, source: ConcatenatedFrames) throws {
        guard pending == nil, recorder.isRecording, let time = source.timestamp(ofFrame: index) else { return }
        try recorder.write(through: time)
    }

    func eventEnded(_ event: Int, endFrame: Int, motionFrame: Int) {
        pending = (event, endFrame, motionFrame)
    }

    /// Finishes the pending clip once its end frame has been decoded (so every packet before it was read).
    func frameDecoded(_ source: ConcatenatedFrames, events: inout [ScannedEvent]) throws {
        guard let p = pending, source.position > p.endFrame else { return }
        try finishPending(at: source.timestamp(ofFrame: p.endFrame), source: source, events: &events)
    }

    func inputEnded(_ source: ConcatenatedFrames, events: inout [ScannedEvent]) throws {
        guard let p = pending else { return }
        try finishPending(at: p.endFrame < source.position ? source.timestamp(ofFrame: p.endFrame) : nil,
                          source: source, events: &events)
    }

    private func finishPending(at end: MediaTime?, source: ConcatenatedFrames, events: inout [ScannedEvent]) throws {
        guard let p = pending else { return }
        pending = nil
        let clip = try recorder.finish(at: end)
        let event = events[p.event]
        let motionTime = source.timestamp(ofFrame: p.motionFrame)?.seconds ?? clip.requestedStartSeconds + requestedPreRoll
        let sidecar = paths?.sidecar ?? clip.path + ".json"
        try EventRecord(
            camera: settings.camera, source: sourceName, eventIndex: event.index, startFrame: event.startFrame, endFrame: event.endFrame,
            startSeconds: event.startSeconds, endSeconds: event.endSeconds, startPTSSeconds: event.startPTSSeconds,
            endPTSSeconds: event.endPTSSeconds, wallClockStart: wallClock(event.startPTSSeconds),
            wallClockEnd: wallClock(event.endPTSSeconds),
            requestedPreRollSeconds: requestedPreRoll, achievedPreRollSeconds: max(0, motionTime - clip.actualStartSeconds),
            peakScore: event.peakScore, peakFrame: event.peakFrame, boundingBox: event.boundingBox,
            triggeredRegions: event.triggeredRegions, clip: (clip.path as NSString).lastPathComponent,
            thumbnail: event.thumbnailPath.map { ($0 as NSString).lastPathComponent },
            clipBytes: clip.bytes, clipSHA256: clip.sha256, droppedStreams: clip.droppedStreams
        ).write(to: sidecar)
        events[p.event].clipPath = clip.path
        events[p.event].sidecarPath = sidecar
        eventHandler?(.clipFinished(events[p.event]))
    }
}
