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
    private var clipPath: String?

    init(settings: ClipSettings, inputs: [SourceURL], source: ConcatenatedFrames, fps: Double, options: ScanOptions,
         minimumFrames: Int, logger: Logger) throws {
        guard inputs.count == 1 else {
            throw ScanInputError(description: "clip output (-m copy) takes a single input video, as dvr-scan's does")
        }
        self.settings = settings
        self.fps = fps
        sourceName = inputs[0].redacted
        stem = ((inputs[0].redacted as NSString).lastPathComponent as NSString).deletingPathExtension
        requestedPreRoll = Double(options.timeBeforeEvent.frames(fps: fps)) / fps
        ClipFiles.recover(in: settings.directory, logger: logger)
        let window = options.timeBeforeEvent.frames(fps: fps) + (minimumFrames + 1) * (options.frameSkip + 1)
        recorder = try ClipRecorder(demuxer: source.demuxer, settings: settings,
                                    retentionSeconds: Double(window) / fps + 1, logger: logger)
    }

    private func path(number: Int, extension ext: String) -> String {
        (settings.directory as NSString).appendingPathComponent(String(format: "%@.DSME_%04d.%@", stem, number, ext))
    }

    func eventStarted(number: Int, startFrame: Int, source: ConcatenatedFrames) throws {
        let path = path(number: number, extension: settings.container.fileExtension)
        guard let start = source.timestamp(ofFrame: startFrame) ?? source.timestamp(ofFrame: source.position - 1) else {
            throw ScanInputError(description: "\(sourceName): frame \(startFrame) has no timestamp; cannot cut a clip")
        }
        try recorder.start(path: path, at: start)
        clipPath = path
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
        let sidecar = path(number: event.index, extension: "json")
        try EventRecord(
            camera: nil, source: sourceName, eventIndex: event.index, startFrame: event.startFrame, endFrame: event.endFrame,
            startSeconds: event.startSeconds, endSeconds: event.endSeconds, startPTSSeconds: event.startPTSSeconds,
            endPTSSeconds: event.endPTSSeconds, wallClockStart: nil, wallClockEnd: nil,
            requestedPreRollSeconds: requestedPreRoll, achievedPreRollSeconds: max(0, motionTime - clip.actualStartSeconds),
            peakScore: event.peakScore, peakFrame: event.peakFrame, boundingBox: event.boundingBox,
            triggeredRegions: event.triggeredRegions, clip: (clip.path as NSString).lastPathComponent, thumbnail: nil,
            clipBytes: clip.bytes, clipSHA256: clip.sha256, droppedStreams: clip.droppedStreams
        ).write(to: sidecar)
        events[p.event].clipPath = clip.path
        events[p.event].sidecarPath = sidecar
    }
}
