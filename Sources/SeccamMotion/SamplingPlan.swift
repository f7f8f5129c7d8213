/// Which source pixels the detector reads (DVR-SCAN.md §1.3).
///
/// Detector pixel (row `i`, column `j`) is frame pixel (x: `cropX + j*step`, y: `cropY + i*step`).
/// Decoders should compute gray values only at those pixels.
public struct SamplingPlan: Sendable, Equatable {
    /// Full frame width.
    public var videoWidth: Int
    /// Full frame height.
    public var videoHeight: Int
    /// Left edge of the crop box (min x over all region points, 0 without regions).
    public var cropX: Int
    /// Top edge of the crop box.
    public var cropY: Int
    /// Crop width; the polygons' max x is excluded, as in dvr-scan.
    public var cropWidth: Int
    /// Crop height; the polygons' max y is excluded.
    public var cropHeight: Int
    /// Subsampling step (`-df`, at least 1).
    public var step: Int
    /// Detector image width, `ceil(cropWidth / step)`.
    public var width: Int
    /// Detector image height, `ceil(cropHeight / step)`.
    public var height: Int

    /// The plan for a video size, a downscale factor and the regions' clamped points.
    ///
    /// - Parameters:
    ///   - polygons: clamped region vertices; empty means the full frame.
    public init(videoWidth: Int, videoHeight: Int, downscaleFactor: Int, polygons: [[PolygonPoint]]) {
        self.videoWidth = videoWidth
        self.videoHeight = videoHeight
        step = max(downscaleFactor, 1)
        let all = polygons.joined()
        if all.isEmpty {
            cropX = 0
            cropY = 0
            cropWidth = videoWidth
            cropHeight = videoHeight
        } else {
            cropX = min(videoWidth, all.map(\.x).min()!)
            cropY = min(videoHeight, all.map(\.y).min()!)
            cropWidth = max(0, all.map(\.x).max()! - cropX)
            cropHeight = max(0, all.map(\.y).max()! - cropY)
        }
        width = (cropWidth + step - 1) / step
        height = (cropHeight + step - 1) / step
    }

    /// Copies the sampled pixels of a full frame into `output` (resized if needed).
    public func sample(_ frame: GrayImage, into output: inout GrayImage) {
        precondition(frame.width == videoWidth && frame.height == videoHeight, "SamplingPlan: frame size mismatch")
        sample(frame.pixels, into: &output)
    }

    /// Copies the sampled pixels of a full `videoWidth` x `videoHeight` row-major buffer into `output`.
    public func sample(_ frame: [UInt8], into output: inout GrayImage) {
        precondition(frame.count == videoWidth * videoHeight, "SamplingPlan: frame size mismatch")
        if output.width != width || output.height != height {
            output = GrayImage(width: width, height: height)
        }
        frame.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                for i in 0..<height {
                    let row = (cropY + i * step) * videoWidth + cropX
                    for j in 0..<width {
                        target[i * width + j] = source[row + j * step]
                    }
                }
            }
        }
    }
}
