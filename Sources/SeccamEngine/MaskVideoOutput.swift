import SeccamMedia
import SeccamMotion

/// `-mo FILE`: dvr-scan's mask video. Every processed frame's filtered mask at the processed size (after the region
/// crop and `-df`), white where there is motion, 63 gray outside the regions, at fps / (frame skip + 1). Encoded
/// with libx264 (mpeg4 when missing) in the container the file name's extension names (MP4 otherwise); odd sizes
/// get a black last column or row, as 4:2:0 needs even ones. dvr-scan also draws `-bb`/`-tc`/`-fm` on it; we do not.
final class MaskVideoOutput {
    private let encoder: VideoEncoder
    private let width: Int
    private let height: Int
    private var picture: [UInt8] = []

    /// Creates `path` for masks of `plan`'s size.
    /// - Throws: ``MediaError`` naming the file when it cannot be created.
    init(path: String, plan: SamplingPlan, framesPerSecond: Double, frameSkip: Int) throws(MediaError) {
        width = plan.width
        height = plan.height
        let rate = TimeBase(numerator: Int32((framesPerSecond * 1000).rounded()), denominator: Int32(1000 * (frameSkip + 1)))
        encoder = try VideoEncoder(path: path, format: Self.container(of: path), width: width + width % 2,
                                   height: height + height % 2, frameRate: rate)
    }

    /// Adds the detector's last mask as the next frame.
    func add(_ detector: MotionDetector) throws(MediaError) {
        detector.maskPicture(into: &picture)
        try picture.withUnsafeBufferPointer { (pixels) throws(MediaError) in
            try encoder.encode(gray: pixels, width: width, height: height)
        }
    }

    /// Flushes the encoder and closes the file.
    func finish() throws(MediaError) { try encoder.finish() }

    private static func container(of path: String) -> String {
        switch path.split(separator: ".").last?.lowercased() {
        case "avi": "avi"
        case "mkv": "matroska"
        case "mov": "mov"
        default: "mp4"
        }
    }
}
