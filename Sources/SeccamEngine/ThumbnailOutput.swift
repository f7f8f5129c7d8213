import Foundation
import Logging

/// `scan --thumbnails highscore` (DVR-SCAN.md §5.3): keeps the frame with the highest adjusted score among
/// above-threshold frames since the last thumbnail (a reference to the decoded picture, taken only when the
/// score strictly beats the best so far), and when an event ends writes it as `<stem>.DSME_NNNN.jpg` with the
/// event's bounding box drawn in dvr-scan's `-bb` style, then starts over, as dvr-scan does.
final class ThumbnailOutput {
    private let directory: String
    private let stem: String
    private let logger: Logger
    private let writer = JPEGWriter()
    private let best: FrameSnapshot
    private var bestScore = 0.0
    /// The frame kept for the next thumbnail.
    private(set) var bestFrame: Int?
    /// The kept frame's display rotation: thumbnails show the turned picture, where the event's box lies.
    private var bestRotation = DisplayRotation.none

    init(directory: String, firstInput: SourceURL, logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        stem = ((firstInput.redacted as NSString).lastPathComponent as NSString).deletingPathExtension
        best = try FrameSnapshot()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Looks at one processed frame (of a stream turned by `rotation` for display); keeps a reference to its
    /// picture when it is the new best.
    func observe(_ score: FrameScore, frame index: Int, picture: borrowing Frame, rotation: DisplayRotation) throws {
        guard score.above, score.score > bestScore else { return }
        try best.capture(picture)
        bestRotation = rotation
        bestScore = score.score
        bestFrame = index
    }

    /// Writes the kept frame as event `number`'s thumbnail with `box` drawn on it, and forgets it. It is named
    /// `<stem>.DSME_NNNN.jpg` in the folder, or after `clip` beside it (a live camera's clip, `<camera>-<time>.jpg`).
    /// - Returns: the file's path, or nil when no frame was kept (no frame scored above 0).
    func eventEnded(number: Int, box: MotionBox?, besideClip clip: String? = nil) throws -> String? {
        defer {
            best.clear()
            bestScore = 0
            bestFrame = nil
        }
        guard bestFrame != nil else {
            logger.info("no thumbnail: no above-threshold frame scored above 0", metadata: ["event.index": "\(number)"])
            return nil
        }
        let path = clip.map { ($0 as NSString).deletingPathExtension + ".jpg" }
            ?? (directory as NSString).appendingPathComponent(String(format: "%@.DSME_%04d.jpg", stem, number))
        let shown = bestRotation.displaySize(width: best.width, height: best.height)
        try writer.write(best, rotation: bestRotation,
                         rectangle: box.map { .dvrScanBoundingBox($0, frameWidth: shown.width, frameHeight: shown.height) }, to: path)
        return path
    }
}

extension RectangleOverlay {
    /// dvr-scan's `-bb` drawing of `box` on a `frameWidth` × `frameHeight` frame (overlays.py
    /// `BoundingBoxOverlay.draw`): padded to a minimum side of max(1, round(0.032·max(W,H))) (half the shortfall
    /// each side), thickness max(2, 2·round(0.0032·max(W,H) // 2)), red, corners (x, y) and (x + w, y + h) as
    /// given to `cv2.rectangle`, clamped at 0.
    public static func dvrScanBoundingBox(_ box: MotionBox, frameWidth: Int, frameHeight: Int) -> RectangleOverlay {
        let side = Double(max(frameWidth, frameHeight))
        let thickness = max(2, 2 * Int((0.0032 * side / 2).rounded(.down)))
        let minSide = max(1, Int((0.032 * side).rounded(.toNearestOrEven)))
        let padX = max(0, minSide - box.width) / 2, padY = max(0, minSide - box.height) / 2
        return RectangleOverlay(
            left: max(0, box.x - padX), top: max(0, box.y - padY),
            right: max(0, box.x + box.width + padX), bottom: max(0, box.y + box.height + padY),
            thickness: thickness, red: 255, green: 0, blue: 0)
    }
}
