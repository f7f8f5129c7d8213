import Foundation

/// Everything `scan` needs besides its inputs: dvr-scan's detection and event options plus how to
/// open and decode the inputs.
public struct ScanOptions: Sendable {
    /// Per-frame detector options (`-b -t -k -df -a`, config-only max-*/variance/learning rate).
    public var detector = DetectorOptions()
    /// `-l`: motion must last this long before an event starts.
    public var minEventLength: TimeSpec = .seconds(0.1)
    /// `-tb`: pre-roll included before the motion.
    public var timeBeforeEvent: TimeSpec = .seconds(1.5)
    /// `-tp`: how long after the last motion an event ends.
    public var timePostEvent: TimeSpec = .seconds(2.0)
    /// `-fs`: frames skipped after each processed frame.
    public var frameSkip = 0
    /// `--use-pts`: dvr-scan's PTS mode (DVR-SCAN.md §4.6): event times come from the frames' timestamps as OpenCV
    /// reports them instead of from frame counts. Scores are the same; one input only.
    public var usePresentationTimes = false
    /// `-s FILE`: write the regions to this region file once the first input is open (clamped to its picture, as
    /// dvr-scan writes them).
    public var saveRegions: String?
    /// `-mo FILE`: write dvr-scan's mask video (the filtered mask of every processed frame) to this file.
    public var maskOutput: String?
    /// `-st`, `-et`, `-dt` (duration overrides end time).
    public var startTime: TimeSpec?
    public var endTime: TimeSpec?
    public var duration: TimeSpec?
    /// How inputs are opened (timeouts, RTSP transport, FFmpeg options).
    public var demuxer = DemuxerOptions()
    /// Decoder threads (0 = automatic).
    public var decoderThreads = 0
    /// Where to write a clip per event by stream copy (`-m copy`); nil scans only (`-so`).
    public var clips: ClipSettings?
    /// `-m encode`: re-encode each event's clip (with dvr-scan's overlays) instead of stream-copying it; needs
    /// ``clips`` for the folder and container.
    public var clipEncoding: ClipEncoding?
    /// `--thumbnails highscore`: a JPEG of each event's highest-scoring frame, with the event's box drawn on it.
    public var thumbnails = false
    /// Folder for thumbnails; nil puts them next to the clips (or in the current folder with no clips).
    public var thumbnailDirectory: String?
    /// Cancels the scan from another thread: reading stops, open events and clips are finished, and the
    /// result is returned normally (a camera service's graceful shutdown).
    public var interrupt: InterruptFlag?
    /// For live sources: the wall-clock time of the first frame, so events get UTC times and clips dated folders.
    public var wallClockOrigin: Date?
    /// Read at the video's own pace (a frame is not processed before its presentation time), as a camera
    /// would deliver it: `run` does this for files, so a looped file stands in for a camera.
    public var realTime = false
    /// A live camera's background model kept across reconnects (nil: every scan starts a fresh model).
    public var detectorHandoff: DetectorHandoff?
    /// Told, on the scanning thread, when an event starts, ends, and when its clip and sidecar are final
    /// (a live camera's notifications, metrics and upload spool). Keep it quick: it runs between frames.
    public var eventHandler: (@Sendable (ScanEventNotice) -> Void)?

    public init() {}

    /// Checks the options that do not depend on the video (the detector's own rules, frame skip).
    public func validate() throws(MotionOptionError) {
        try detector.validate()
        guard frameSkip >= 0 else {
            throw MotionOptionError(option: "frame-skip", message: "must be 0 or more, got \(frameSkip)")
        }
        for (name, spec) in [("min-event-length", minEventLength), ("time-before-event", timeBeforeEvent),
                             ("time-post-event", timePostEvent)] {
            if case .seconds(let s) = spec, s < 0 {
                throw MotionOptionError(option: name, message: "must not be negative, got \(s)s")
            }
            if case .frames(let f) = spec, f < 0 {
                throw MotionOptionError(option: name, message: "must not be negative, got \(f)")
            }
        }
    }
}

/// What ``ScanOptions/eventHandler`` is told.
public enum ScanEventNotice: Sendable {
    /// An event started at `startFrame` (pre-roll included); `wallClock` is its UTC start for live sources.
    case started(number: Int, startFrame: Int, wallClock: Date?)
    /// An event ended (its clip may still be waiting for the frames up to its end).
    case ended(ScannedEvent)
    /// The event's clip and JSON sidecar are final on disk (``ScannedEvent/clipPath``, ``ScannedEvent/sidecarPath``).
    case clipFinished(ScannedEvent)
}
