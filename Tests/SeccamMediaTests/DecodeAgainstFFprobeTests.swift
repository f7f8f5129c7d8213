import Foundation
import SeccamMedia
import SeccamTestSupport
import XCTest

/// Our decode loop must output exactly the frames ffprobe's decoder outputs, with the same timestamps.
final class DecodeAgainstFFprobeTests: XCTestCase {
    func testEverySharedVideoAndFixtureDecodesLikeFFprobe() throws {
        let videos = TestPaths.allSharedVideos() + TestPaths.allFixtureVideos()
        XCTAssertGreaterThanOrEqual(videos.count, 15, "expected ../shared/videos and Fixtures/ to be present")
        for url in videos {
            let expected = try FFprobe.decodedFrameTimestamps(url)
            let count = try FrameCount.decodeAll(SourceURL(url.path))
            XCTAssertEqual(count.frames, expected.count, "frame count of \(url.lastPathComponent)")
            XCTAssertEqual(count.firstTimestamp?.ticks, expected.first ?? nil, "first pts of \(url.lastPathComponent)")
            XCTAssertEqual(count.lastTimestamp?.ticks, expected.last ?? nil, "last pts of \(url.lastPathComponent)")
            XCTAssertNil(count.truncation, "\(url.lastPathComponent) is complete")
        }
    }

    func testDamagedFirstKeyframeStillDecodesEveryFrameFFprobeDecodes() throws {
        let url = TestPaths.sharedVideos.appendingPathComponent("opencv_doc_box.mp4")
        let expected = try FFprobe.decodedFrameTimestamps(url)
        let count = try FrameCount.decodeAll(SourceURL(url.path))
        XCTAssertEqual(count.frames, expected.count)
        XCTAssertLessThan(count.frames, try XCTUnwrap(Demuxer(source: SourceURL(url.path)).streams.first?.frameCount))
    }

    func testSingleThreadedDecodeGivesTheSameFrames() throws {
        let url = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        XCTAssertEqual(try FrameCount.decodeAll(SourceURL(url.path), threads: 1),
                       try FrameCount.decodeAll(SourceURL(url.path), threads: 0))
    }

    func testProbeReportsStreamsAndKeyframeInterval() throws {
        let url = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        let report = try ProbeReport.probe(SourceURL(url.path))
        XCTAssertEqual(report.streams.map(\.type), [.video, .audio])
        XCTAssertEqual(report.streams[0].codec, "h264")
        XCTAssertEqual(report.streams[0].width, 320)
        XCTAssertEqual(report.streams[0].averageFrameRate, "25/1")
        // ffprobe's keyframe times give the expected interval.
        let keys = try ProcessRunner.run([
            "ffprobe", "-v", "quiet", "-select_streams", "v:0", "-skip_frame", "nokey", "-show_entries",
            "frame=best_effort_timestamp_time", "-of", "csv=p=0", url.path,
        ]).stdout.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: ", "))) }
        let expected = (keys[1] - keys[0])
        XCTAssertEqual(try XCTUnwrap(report.meanKeyframeInterval), expected, accuracy: 0.001)
    }
}
