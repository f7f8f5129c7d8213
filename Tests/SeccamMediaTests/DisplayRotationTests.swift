import SeccamMedia
import SeccamTestSupport
import XCTest

/// Display rotation as OpenCV applies it (`CAP_PROP_ORIENTATION_AUTO`, which dvr-scan turns on).
final class DisplayRotationTests: XCTestCase {
    /// OpenCV's angle is `-round(av_display_rotation_get)`, plus 360 when negative; ffprobe prints the latter's value.
    func testDisplayMatrixAngleFollowsOpenCV() {
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: 90), .counterclockwise90)
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: -90), .clockwise90)
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: 180), .halfTurn)
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: -180), .halfTurn)
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: 0), DisplayRotation.none)
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: 45), DisplayRotation.none, "not a quarter turn: OpenCV leaves it")
        XCTAssertEqual(DisplayRotation(displayMatrixDegrees: .nan), DisplayRotation.none)
    }

    /// `cv::rotate` on a 4x3 picture whose pixel (x, y) holds 10·y + x, written out by hand.
    func testSourcePixelsMatchCvRotate() {
        let width = 4, height = 3
        func turned(_ rotation: DisplayRotation) -> [[Int]] {
            let size = rotation.displaySize(width: width, height: height)
            return (0..<size.height).map { y in
                (0..<size.width).map { x in
                    let p = rotation.sourcePixel(x: x, y: y, width: width, height: height)
                    return 10 * p.y + p.x
                }
            }
        }
        XCTAssertEqual(turned(.none), [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]])
        XCTAssertEqual(turned(.clockwise90), [[20, 10, 0], [21, 11, 1], [22, 12, 2], [23, 13, 3]])
        XCTAssertEqual(turned(.halfTurn), [[23, 22, 21, 20], [13, 12, 11, 10], [3, 2, 1, 0]])
        XCTAssertEqual(turned(.counterclockwise90), [[3, 13, 23], [2, 12, 22], [1, 11, 21], [0, 10, 20]])
    }

    /// The fixture's display matrix is read from the stream; its decoded size stays the unturned one.
    func testStreamInfoReadsTheDisplayMatrix() throws {
        let turned = try Demuxer(source: SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box_rot90.mp4").path))
        let video = try XCTUnwrap(turned.streams.first { $0.mediaType == .video })
        XCTAssertEqual(video.rotation, .counterclockwise90)
        XCTAssertEqual([video.width, video.height], [320, 240])
        let plain = try Demuxer(source: SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path))
        XCTAssertEqual(plain.streams.first { $0.mediaType == .video }?.rotation, DisplayRotation.none)
    }
}
