import Foundation
import SeccamMedia
import SeccamTestSupport
import XCTest

/// Bad sources give a clear error naming the source and the cause, quickly, and never a crash or hang.
final class BadInputTests: XCTestCase {
    private func openError(_ text: String, timeout: Duration = .seconds(3)) -> MediaError? {
        var options = DemuxerOptions()
        options.timeout = timeout
        do {
            let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(text), options: options))
            var frame = try Frame()
            while try reader.nextFrame(into: &frame) {}
            return nil
        } catch {
            return error
        }
    }

    func testMissingFile() throws {
        let error = try XCTUnwrap(openError("/no/such/dir/clip.mp4"))
        XCTAssertEqual(error.code, .notFound)
        XCTAssertTrue(error.description.contains("/no/such/dir/clip.mp4"), error.description)
        XCTAssertTrue(error.description.contains("No such file or directory"), error.description)
    }

    /// Capture devices need libavdevice, which is loaded only for them: a missing device fails when it is opened
    /// (so the v4l2 input was found), not when the input format is looked up.
    func testMissingCaptureDeviceFailsAtOpeningIt() throws {
        let error = try XCTUnwrap(openError("/dev/video-seccam-missing"))
        XCTAssertEqual(error.code, .notFound, error.description)
        XCTAssertTrue(error.description.contains("avformat_open_input"), error.description)
        XCTAssertTrue(error.description.contains("/dev/video-seccam-missing"), error.description)
    }

    func testDirectory() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try XCTUnwrap(openError(dir.path))
        XCTAssertEqual(error.code, .invalidArgument)
        XCTAssertTrue(error.description.contains(dir.path) && error.description.contains("directory"), error.description)
    }

    func testEmptyFileAndRandomBytes() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.mp4")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        var generator = SystemRandomNumberGenerator()
        let noise = dir.appendingPathComponent("noise.mp4")
        XCTAssertTrue(FileManager.default.createFile(atPath: noise.path, contents: Data((0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) })))
        for url in [empty, noise] {
            let error = try XCTUnwrap(openError(url.path), url.lastPathComponent)
            XCTAssertEqual(error.code, .invalidData, error.description)
            XCTAssertTrue(error.description.contains(url.path), error.description)
            XCTAssertTrue(error.description.contains("Invalid data found when processing input"), error.description)
        }
    }

    func testTruncatedFileDecodesWhatIsThereAndSaysItIsTruncated() throws {
        let url = TestPaths.fixtures.appendingPathComponent("truncated.mp4")
        let count = try FrameCount.decodeAll(SourceURL(url.path))
        XCTAssertEqual(count.frames, try FFprobe.decodedFrameTimestamps(url).count)
        let detail = try XCTUnwrap(count.truncation)
        XCTAssertTrue(detail.contains("truncated"), detail)
    }

    func testUnknownScheme() throws {
        let error = try XCTUnwrap(openError("nosuchproto://camera/stream"))
        XCTAssertEqual(error.code, .unsupported)
        XCTAssertTrue(error.description.contains("nosuchproto://camera/stream") && error.description.contains("Protocol not found"))
    }

    func testClosedRTSPPortFailsFastWithoutLeakingThePassword() throws {
        let port = ProcessRunner.freePort()
        let started = Date()
        let error = try XCTUnwrap(openError("rtsp://admin:hunter2@127.0.0.1:\(port)/x"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(error.code, .network)
        XCTAssertTrue(error.description.contains("127.0.0.1:\(port)"), error.description)
        XCTAssertTrue(error.description.contains("Connection refused"), error.description)
        XCTAssertFalse(error.description.contains("hunter2"), error.description)
        XCTAssertFalse(error.description.contains("admin"), error.description)
    }

    func testSilentServerTimesOutInsteadOfHanging() throws {
        // A listener that accepts and never answers: the open must end at the timeout.
        let listener = SilentListener()
        let started = Date()
        let error = try XCTUnwrap(openError("rtsp://user:pw@127.0.0.1:\(listener.port)/silent", timeout: .seconds(2)))
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(error.code, .timedOut, error.description)
        XCTAssertGreaterThan(elapsed, 1.5)
        XCTAssertLessThan(elapsed, 6)
        XCTAssertFalse(error.description.contains("pw@"), error.description)
    }

    func testCancelFromAnotherThreadStopsABlockedOpen() throws {
        let flag = InterruptFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { flag.cancel() }
        let listener = SilentListener()
        var options = DemuxerOptions()
        options.timeout = .seconds(30)
        let started = Date()
        XCTAssertThrowsError(try Demuxer(source: SourceURL("rtsp://127.0.0.1:\(listener.port)/x"), options: options, interrupt: flag)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .cancelled)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    /// A read made after a cancel gives no packet, even where the input would still give one (a file ignores the
    /// interrupt): an interrupted read may return a parser's flush of a cut-short access unit, never to be recorded.
    func testReadAfterCancelThrowsCancelledWithoutAPacket() throws {
        let flag = InterruptFlag()
        let demuxer = try Demuxer(source: SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path), interrupt: flag)
        var packet = try Packet()
        XCTAssertEqual(try demuxer.read(into: &packet), .packet)
        flag.cancel()
        XCTAssertThrowsError(try demuxer.read(into: &packet)) { error in
            XCTAssertEqual((error as? MediaError)?.code, .cancelled)
        }
        XCTAssertEqual(packet.size, 0)
    }
}
