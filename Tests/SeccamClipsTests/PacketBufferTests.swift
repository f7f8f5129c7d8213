import SeccamClips
import SeccamMedia
import SeccamTestSupport
import XCTest

final class PacketBufferTests: XCTestCase {
    /// Feeds all packets of a fixture (keyframe every second) through a buffer, checking after each one.
    private func feed(retention: Double, maxBytes: Int = 1 << 30, check: (PacketBuffer, MediaTime) -> Void) throws {
        let demuxer = try Demuxer(source: SourceURL(TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path))
        let video = try XCTUnwrap(demuxer.videoStreamIndex)
        let buffer = PacketBuffer(videoStream: video, retentionSeconds: retention, maxBytes: maxBytes)
        var packet = try Packet()
        while try demuxer.read(into: &packet) == .packet {
            let retained = try RetainedPacket(referencing: packet, timeBase: demuxer.stream(packet.streamIndex).timeBase)
            buffer.append(retained)
            if packet.streamIndex == video, let pts = retained.info.pts { check(buffer, pts) }
        }
    }

    func testAlwaysHoldsAKeyframeAtOrBeforeThePreRoll() throws {
        var sawTrim = false
        try feed(retention: 1.5) { buffer, newest in
            let wanted = MediaTime(ticks: newest.ticks - Int64(1.5 / newest.timeBase.doubleValue), timeBase: newest.timeBase)
            guard newest.seconds >= 2.5 else { return }
            let key = buffer.latestKeyframe(atOrBefore: wanted)
            XCTAssertNotNil(key, "no keyframe at or before \(wanted.seconds) s with newest \(newest.seconds) s")
            // It never keeps more than one whole GOP beyond what the pre-roll needs.
            let oldest = buffer[buffer.firstIndex].info.pts ?? newest
            XCTAssertLessThanOrEqual(newest.seconds - oldest.seconds, 1.5 + 1.0 + 0.1)
            if buffer.firstIndex > 0 { sawTrim = true }
        }
        XCTAssertTrue(sawTrim)
    }

    func testByteBoundDropsWholeGOPsFromTheFront() throws {
        var trimmed = false
        try feed(retention: 100, maxBytes: 40_000) { buffer, _ in
            let keyframes = (buffer.firstIndex..<buffer.endIndex).filter { buffer.isVideo(buffer[$0]) && buffer[$0].info.isKeyframe }
            // Over the bound only while a single GOP is held: a GOP is never split.
            if buffer.bytes > 40_000 { XCTAssertEqual(keyframes.count, 1) }
            // The oldest video packet is always a keyframe once trimming started.
            if buffer.firstIndex > 0 {
                trimmed = true
                let firstVideo = (buffer.firstIndex..<buffer.endIndex).first { buffer.isVideo(buffer[$0]) }
                XCTAssertEqual(firstVideo, keyframes.first)
            }
        }
        XCTAssertTrue(trimmed, "a 100 s retention must still be cut by the byte bound")
    }
}
