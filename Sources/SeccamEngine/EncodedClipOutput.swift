import Foundation
import Logging

/// How `scan -m encode` re-encodes clips and which of dvr-scan's overlays it burns in (DVR-SCAN.md §5.3).
public struct ClipEncoding: Sendable, Equatable {
    /// `-bb`: draw the (smoothed) motion bounding box.
    public var boundingBox = false
    /// `-bb TIME` / `bounding-box-smooth-time`: boxes are averaged over this long (in processed frames).
    public var boundingBoxSmoothTime: TimeSpec = .seconds(0.1)
    /// `-tc`: burn in the frame's timecode (top left).
    public var timeCode = false
    /// `-fm`: burn in the frame number and score (top right).
    public var frameMetrics = false
    /// Encoder tried first; `mpeg4` is used (with a logged warning) when this FFmpeg lacks it.
    public var encoder = "libx264"
    /// `-o FILE`: every event's frames go into this one file, in event order, instead of one clip per event; its
    /// extension picks the container (`.mp4`, `.mkv`). No JSON sidecars are written for it.
    public var singleFile: String?
    /// Bound on the decoded pre-roll pictures kept (bytes of 8-bit 4:2:0 pictures); past it the pre-roll is
    /// shortened and the sidecar's achieved pre-roll says so.
    public var maxPreRollBytes = 768 << 20

    public init() {}
}

/// `scan -m encode`: one re-encoded clip per event, `<stem>.DSME_0001.mp4` as dvr-scan names them, spanning
/// exactly the event's frames [start, end) at the source's constant frame rate, starting at pts 0, video only
/// (dvr-scan's encode output has no audio either), with dvr-scan's overlays and the same JSON sidecar as
/// `-m copy` (``EventRecord``, `mode` "encode"). With ``ClipEncoding/singleFile`` (`-o`) every event goes into that
/// one file instead, without sidecars.
///
/// Pre-roll pictures come from a bounded ring of references to the last decoded pictures (no pixel copies;
/// the decoder's buffers stay alive while referenced), kept only in this mode: an event starts up to
/// `-tb` plus the minimum event length before the frame that triggers it, so the ring holds that many frames
/// (dvr-scan's own encode mode keeps the same number of decoded BGR frames). Each kept picture carries the
/// overlay state of its frame (score, smoothed box) so pre-roll frames show their own metrics.
final class EncodedClipOutput {
    private let settings: ClipSettings
    private let encoding: ClipEncoding
    private let stem: String
    private let sourceName: String
    private let fps: Double
    private let frameRate: TimeBase
    /// The clip's (turned) picture size and the input's display rotation.
    private let width: Int
    private let height: Int
    private let rotation: DisplayRotation
    private let requestedPreRoll: Double
    private let crop: (x: Int, y: Int, step: Int)
    private let smoothingFrames: Int
    private let logger: Logger
    private let eventHandler: (@Sendable (ScanEventNotice) -> Void)?

    /// The kept decoded pictures, oldest first, and released snapshots for reuse.
    private var ring: [Entry] = []
    private var spare: [FrameSnapshot] = []
    private let capacity: Int
    /// Overlay state of the last processed frame (skipped frames show it too).
    private var state = OverlayState(score: 0, box: nil)
    private var processedAny = false
    private var window: [(x: Int, y: Int, width: Int, height: Int)] = []
    private var clips: [OpenClip] = []
    /// `-o`: the one file every event goes into, once the first event started, and the events written to it.
    private var combined: (writer: EncodedClipWriter, start: Int, events: [Int])?
    private var warnedFallback = false

    private final class Entry {
        let snapshot: FrameSnapshot
        var index: Int
        var state: OverlayState
        init(snapshot: FrameSnapshot, index: Int, state: OverlayState) {
            self.snapshot = snapshot
            self.index = index
            self.state = state
        }
    }

    private struct OverlayState {
        var score: Double
        var box: MotionBox?
    }

    private struct OpenClip {
        var number: Int
        /// Index in the scan's event list once the event has ended.
        var event: Int?
        var start: Int
        var end: Int?
        var motionFrame: Int
        var nextFrame: Int
        var firstFrame: Int?
        var writer: EncodedClipWriter
        var paths: (clip: String, sidecar: String)
    }

    init(settings: ClipSettings, encoding: ClipEncoding, inputs: [SourceURL], source: ConcatenatedFrames, fps: Double,
         options: ScanOptions, minimumFrames: Int, crop: (x: Int, y: Int, step: Int), logger: Logger) throws {
        guard inputs.count == 1 else {
            throw ScanInputError(description: "clip output (-m encode) takes a single input video")
        }
        self.settings = settings
        self.encoding = encoding
        self.fps = fps
        self.crop = crop
        self.logger = logger
        eventHandler = options.eventHandler
        sourceName = inputs[0].redacted
        stem = ((inputs[0].redacted as NSString).lastPathComponent as NSString).deletingPathExtension
        let video = source.demuxer.stream(source.demuxer.videoStreamIndex ?? 0)
        let average = video.averageFrameRate, real = video.realFrameRate
        frameRate = average.numerator > 0 && average.denominator > 0 ? average
            : real.numerator > 0 && real.denominator > 0 ? real
            : TimeBase(numerator: Int32((fps * 1000).rounded()), denominator: 1000)
        width = source.width
        height = source.height
        rotation = source.rotation
        let stride = options.frameSkip + 1
        requestedPreRoll = Double(options.timeBeforeEvent.frames(fps: fps)) / fps
        smoothingFrames = max(1, encoding.boundingBoxSmoothTime.frames(fps: fps) / stride)
        // An event starts at most -tb + M·stride frames before its trigger (EventTracker's shiftMax).
        let needed = options.timeBeforeEvent.frames(fps: fps) + minimumFrames * stride + 1
        let pictureBytes = max(1, width * height * 3 / 2)
        let affordable = max(stride + 1, encoding.maxPreRollBytes / pictureBytes)
        capacity = min(needed, affordable)
        if capacity < needed {
            logger.warning("pre-roll for -m encode shortened to fit the memory bound", metadata: [
                "frames.needed": "\(needed)", "frames.kept": "\(capacity)", "bytes.max": "\(encoding.maxPreRollBytes)"])
        }
        if let single = encoding.singleFile { _ = try Self.container(of: single) }
        try Self.makeFolder(settings.directory)
        ClipFiles.recover(in: settings.directory, logger: logger)
        if let single = encoding.singleFile { try Self.makeFolder((single as NSString).deletingLastPathComponent) }
    }

    /// The container an `-o` file's extension names.
    private static func container(of path: String) throws -> ClipContainer {
        switch (path as NSString).pathExtension.lowercased() {
        case "mp4", "m4v": return .mp4
        case "mkv": return .mkv
        default: throw ClipFileError("-o \(path): the file must end .mp4 or .mkv (H.264 is written; dvr-scan's .avi is not)")
        }
    }

    /// `mkdir -p` that names the system's reason when it fails ("Not a directory", "Permission denied").
    private static func makeFolder(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw ClipFileError("cannot create the clip folder \(path): \(String(cString: strerror(errno)))")
            }
        }
        // The folder itself may already exist as a file (mkdir then says EEXIST too).
        var info = stat()
        if stat(current, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
            throw ClipFileError("cannot create the clip folder \(path): it is a file, not a folder")
        }
    }

    /// Keeps a reference to every decoded picture (processed or skipped) until it is encoded or too old.
    func frameDecoded(_ frame: borrowing Frame, index: Int) throws {
        let entry: Entry
        if ring.count >= capacity, let oldest = ring.first, clips.allSatisfy({ $0.nextFrame > oldest.index }) {
            entry = ring.removeFirst()
            entry.index = index
            entry.state = state
        } else {
            entry = Entry(snapshot: try spare.popLast() ?? FrameSnapshot(), index: index, state: state)
        }
        try entry.snapshot.capture(frame)
        ring.append(entry)
    }

    /// Records processed frame `index`'s score and box (dvr-scan's bounding-box smoothing, scanner.py and
    /// overlays.py: boxes of above-threshold frames, in detector pixels, averaged and rounded half-even over the
    /// last max(1, smooth // (frameskip+1)) of them; any other frame clears the window and shows no box).
    func frameScored(_ score: FrameScore, index: Int) {
        let above = processedAny && score.above
        processedAny = true
        var box: MotionBox?
        if encoding.boundingBox {
            if above {
                let b = score.boundingBox.map { (($0.x - crop.x) / crop.step, ($0.y - crop.y) / crop.step, $0.width / crop.step, $0.height / crop.step) }
                    ?? (0, 0, 0, 0)
                window.append((b.0, b.1, b.2, b.3))
                if window.count > smoothingFrames { window.removeFirst(window.count - smoothingFrames) }
                func mean(_ values: [Int]) -> Int {
                    Int((Double(values.reduce(0, +)) / Double(values.count)).rounded(.toNearestOrEven))
                }
                box = MotionBox(x: crop.x + mean(window.map(\.x)) * crop.step, y: crop.y + mean(window.map(\.y)) * crop.step,
                                width: mean(window.map(\.width)) * crop.step, height: mean(window.map(\.height)) * crop.step)
            } else {
                window.removeAll(keepingCapacity: true)
            }
        }
        state = OverlayState(score: score.score, box: box)
        if let last = ring.last, last.index == index { last.state = state }
    }

    /// Opens event `number`'s clip; it will hold frames [startFrame, end) as they are flushed.
    func eventStarted(number: Int, startFrame: Int, motionFrame: Int) throws {
        let base = (settings.directory as NSString).appendingPathComponent(String(format: "%@.DSME_%04d", stem, number))
        var paths = (base + "." + settings.container.fileExtension, base + ".json")
        let writer: EncodedClipWriter
        if let single = encoding.singleFile {
            paths = (single, "")
            writer = try combined?.writer ?? EncodedClipWriter(
                path: single, container: Self.container(of: single), width: width, height: height, frameRate: frameRate,
                rotation: rotation, preferredCodec: encoding.encoder)
            if combined == nil { combined = (writer, startFrame, []) }
        } else {
            writer = try EncodedClipWriter(path: paths.0, container: settings.container, width: width, height: height,
                                           frameRate: frameRate, rotation: rotation, preferredCodec: encoding.encoder)
        }
        if writer.usedFallback, !warnedFallback {
            warnedFallback = true
            logger.warning("this FFmpeg has no \(encoding.encoder) encoder; encoding clips with mpeg4 instead",
                           metadata: ["clip.path": "\(paths.0)"])
        }
        clips.append(OpenClip(number: number, start: startFrame, motionFrame: motionFrame, nextFrame: startFrame,
                              writer: writer, paths: paths))
    }

    /// The event of the last opened clip ended: its clip takes frames up to `endFrame` (exclusive).
    func eventEnded(_ event: Int, endFrame: Int) {
        guard let i = clips.lastIndex(where: { $0.end == nil }) else { return }
        clips[i].event = event
        clips[i].end = endFrame
    }

    /// Encodes every kept picture that an open clip needs (all kept pictures are final: call after the
    /// current frame was scored), and finishes clips whose last frame has been encoded.
    func flush(source: ConcatenatedFrames, events: inout [ScannedEvent]) throws {
        while !clips.isEmpty {
            var clip = clips[0]
            for entry in ring where entry.index >= clip.nextFrame && entry.index < (clip.end ?? Int.max) {
                let overlays = overlays(for: entry)
                if let r = overlays.rectangle {
                    logger.trace("bounding box drawn", metadata: ["frame": "\(entry.index)", "box": "\(r.left) \(r.top) \(r.right) \(r.bottom)"])
                }
                try clip.writer.encode(entry.snapshot, overlays: overlays)
                if clip.firstFrame == nil { clip.firstFrame = entry.index }
                clip.nextFrame = entry.index + 1
            }
            clips[0] = clip
            guard let end = clip.end, clip.nextFrame >= end else { break }
            try finish(clips.removeFirst(), source: source, events: &events, endKnown: true)
        }
        // Pictures no clip needs any more are released now (the decoder can reuse their buffers).
        let needed = clips.map(\.nextFrame).min() ?? Int.max
        while let oldest = ring.first, oldest.index < needed, ring.count > capacity || !clips.isEmpty {
            let entry = ring.removeFirst()
            entry.snapshot.clear()
            spare.append(entry.snapshot)
        }
    }

    /// End of input: encodes what is left and finishes every open clip, and the `-o` file.
    func inputEnded(source: ConcatenatedFrames, events: inout [ScannedEvent]) throws {
        for i in clips.indices where clips[i].end == nil { clips[i].end = source.position }
        try flush(source: source, events: &events)
        while !clips.isEmpty { try finish(clips.removeFirst(), source: source, events: &events, endKnown: false) }
        guard let combined else { return }
        self.combined = nil
        let start = source.ptsSeconds(ofFrame: combined.start)
        let finished = try combined.writer.finish(requestedStartSeconds: start, actualStartSeconds: start,
                                                  endSeconds: source.ptsSeconds(ofFrame: source.position))
        for i in combined.events {
            events[i].clipPath = finished.path
            eventHandler?(.clipFinished(events[i]))
        }
    }

    private func overlays(for entry: Entry) -> VideoOverlays {
        var result = VideoOverlays()
        if encoding.boundingBox, let box = entry.state.box {
            result.rectangle = .dvrScanBoundingBox(box, frameWidth: width, frameHeight: height)
        }
        if encoding.timeCode {
            result.texts.append(TextOverlay(text: Timecode.format(frames: entry.index, fps: fps, precision: 3), corner: .topLeft))
        }
        if encoding.frameMetrics {
            result.texts.append(TextOverlay(text: String(format: "Frame: %04d\nScore: %3.2f", entry.index, entry.state.score),
                                            corner: .topRight))
        }
        return result
    }

    private func finish(_ clip: OpenClip, source: ConcatenatedFrames, events: inout [ScannedEvent], endKnown: Bool) throws {
        guard let eventIndex = clip.event ?? (events.isEmpty ? nil : events.count - 1) else { return }
        if combined != nil {
            // `-o`: the shared file stays open for the next events; it is finished at the end of the input.
            combined?.events.append(eventIndex)
            return
        }
        let event = events[eventIndex]
        let first = clip.firstFrame ?? clip.start
        if first > clip.start {
            logger.info("encoded clip starts after the event start (pre-roll not held)",
                        metadata: ["clip.path": "\(clip.paths.clip)", "event.start": "\(clip.start)", "clip.start": "\(first)"])
        }
        let finished = try clip.writer.finish(
            requestedStartSeconds: source.ptsSeconds(ofFrame: clip.start), actualStartSeconds: source.ptsSeconds(ofFrame: first),
            endSeconds: source.ptsSeconds(ofFrame: clip.end ?? source.position))
        let motion = source.ptsSeconds(ofFrame: clip.motionFrame)
        try EventRecord(
            camera: settings.camera, source: sourceName, eventIndex: event.index, startFrame: event.startFrame, endFrame: event.endFrame,
            startSeconds: event.startSeconds, endSeconds: event.endSeconds, startPTSSeconds: event.startPTSSeconds,
            endPTSSeconds: event.endPTSSeconds, wallClockStart: nil, wallClockEnd: nil,
            requestedPreRollSeconds: requestedPreRoll, achievedPreRollSeconds: max(0, motion - finished.actualStartSeconds),
            peakScore: event.peakScore, peakFrame: event.peakFrame, boundingBox: event.boundingBox,
            triggeredRegions: event.triggeredRegions, clip: (finished.path as NSString).lastPathComponent,
            thumbnail: event.thumbnailPath.map { ($0 as NSString).lastPathComponent },
            clipBytes: finished.bytes, clipSHA256: finished.sha256, droppedStreams: source.demuxer.streams
                .filter { $0.mediaType == .audio }.map { "stream \($0.index) (\($0.codecName) audio): -m encode writes video only" },
            mode: "encode", encoder: clip.writer.codecName, clipFrames: clip.writer.frameCount
        ).write(to: clip.paths.sidecar)
        events[eventIndex].clipPath = finished.path
        events[eventIndex].sidecarPath = clip.paths.sidecar
        eventHandler?(.clipFinished(events[eventIndex]))
    }
}
