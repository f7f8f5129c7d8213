import Foundation
import SeccamEngine
import SeccamTestSupport
import Logging
import XCTest

/// `scan -m copy`: clips cut by stream copy, starting on a keyframe at or before the event, byte-identical
/// to the source's packets, playable, with audio, crash-safe.
final class ClipTests: XCTestCase {
    private func scanWithClips(_ url: URL, container: ClipContainer = .mp4, options: ScanOptions = ScanOptions()) throws
        -> (result: ScanResult, directory: URL)
    {
        let dir = try TestPaths.makeTemporaryDirectory()
        var options = options
        options.clips = ClipSettings(directory: dir.path, container: container)
        return (try ScanSession(inputs: [SourceURL(url.path)], options: options).run(), dir)
    }

    /// Checks one clip against its source: clean decode, keyframe first with pts 0, covers the event,
    /// and its video packets are the source's from the keyframe on, byte for byte.
    private func checkClip(_ event: ScannedEvent, source: URL, fps: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let clip = try XCTUnwrap(event.clipPath, file: file, line: line)
        let name = "\(source.lastPathComponent) event \(event.index)"
        // No decoder errors beyond those the source itself has (opencv_doc_box.mp4's first keyframe is damaged).
        XCTAssertEqual(try ClipInspection.newDecodeErrors(clip, comparedTo: source.path), [], name, file: file, line: line)
        let clipPackets = try ClipInspection.videoPackets(clip)
        let first = try XCTUnwrap(clipPackets.first, file: file, line: line)
        XCTAssertTrue(first.isKey, "\(name) starts on a keyframe", file: file, line: line)
        XCTAssertEqual(clipPackets.compactMap(\.pts).min(), 0, "\(name) first pts", file: file, line: line)

        // The clip must start at the source's last real keyframe at or before the event start (AVI "drop
        // frame" placeholders of a few bytes are flagged key but hold no picture).
        let sourcePackets = try ClipInspection.videoPackets(source.path)
        let sourceStart = sourcePackets.compactMap(\.pts).min() ?? 0
        let eventStart = event.startPTSSeconds + sourceStart
        let keyIndices = sourcePackets.indices.filter { sourcePackets[$0].isKey && sourcePackets[$0].size > 16 }
        let startIndex = try XCTUnwrap(keyIndices.last { sourcePackets[$0].pts! <= eventStart + 1e-6 } ?? keyIndices.first, file: file, line: line)
        let expectedKey = sourcePackets[startIndex].pts!
        let copied = Array(sourcePackets[startIndex..<min(sourcePackets.count, startIndex + clipPackets.count)])
        let mismatch = zip(copied, clipPackets).enumerated().first { $0.element.0.hash != $0.element.1.hash }?.offset
        XCTAssertNil(mismatch, "\(name): clip packet \(mismatch ?? -1) differs from the source's", file: file, line: line)
        XCTAssertEqual(copied.count, clipPackets.count, "\(name): clip has packets beyond the source's end", file: file, line: line)
        // It covers the event to its (exclusive) end.
        let shown = try XCTUnwrap(clipPackets.compactMap(\.pts).max(), file: file, line: line) + 1 / fps
        XCTAssertGreaterThanOrEqual(shown + 1e-6, event.endPTSSeconds + sourceStart - expectedKey - 1e-6, "\(name) covers the end", file: file, line: line)
    }

    func testClipsOfEverySharedVideoWithEvents() throws {
        for url in TestPaths.allSharedVideos() where try !TestPaths.referenceTimecodes(url.lastPathComponent).isEmpty {
            let (result, dir) = try scanWithClips(url)
            defer { try? FileManager.default.removeItem(at: dir) }
            XCTAssertFalse(result.events.isEmpty, url.lastPathComponent)
            for event in result.events { try checkClip(event, source: url, fps: result.framesPerSecond) }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".partial") }
            XCTAssertEqual(leftovers, [], url.lastPathComponent)
        }
    }

    /// At `-df 2` the detector runs one frame behind decoding (`OverlappedDetector`), so packets reach the clip
    /// recorder a frame earlier relative to the event decisions. The clips must be the ones in-line detection
    /// cuts (thumbnails look at the scored frame's picture, so they keep detection in line).
    func testClipsWithOverlappedDetectionEqualInLineClips() throws {
        var clipsCompared = 0
        for url in TestPaths.allSharedVideos() where try !TestPaths.referenceTimecodes(url.lastPathComponent).isEmpty {
            var overlapped = ScanOptions()
            overlapped.detector.downscaleFactor = 2
            var inLine = overlapped
            inLine.thumbnails = true
            let (ahead, aheadDirectory) = try scanWithClips(url, options: overlapped)
            let (reference, referenceDirectory) = try scanWithClips(url, options: inLine)
            defer {
                try? FileManager.default.removeItem(at: aheadDirectory)
                try? FileManager.default.removeItem(at: referenceDirectory)
            }
            let name = url.lastPathComponent
            XCTAssertEqual(ahead.events.map { [$0.startFrame, $0.endFrame] }, reference.events.map { [$0.startFrame, $0.endFrame] }, name)
            for (event, expected) in zip(ahead.events, reference.events) {
                try checkClip(event, source: url, fps: ahead.framesPerSecond)
                let packets = try ClipInspection.videoPackets(try XCTUnwrap(event.clipPath)).map(\.hash)
                let expectedPackets = try ClipInspection.videoPackets(try XCTUnwrap(expected.clipPath)).map(\.hash)
                XCTAssertEqual(packets, expectedPackets, "\(name) event \(event.index): clip packets")
                clipsCompared += 1
            }
        }
        XCTAssertGreaterThanOrEqual(clipsCompared, 5, "the shared videos must give clips at -df 2 for this to mean anything")
    }

    /// A clip of a turned (phone) video keeps the display matrix, so it plays the right way up.
    func testClipKeepsTheDisplayRotation() throws {
        let (result, dir) = try scanWithClips(TestPaths.fixtures.appendingPathComponent("moving_box_rot90.mp4"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try XCTUnwrap(result.events.first?.clipPath)
        let video = try XCTUnwrap(try Demuxer(source: SourceURL(clip)).streams.first { $0.mediaType == .video })
        XCTAssertEqual(video.rotation, .counterclockwise90)
    }

    func testSidecarDescribesTheClip() throws {
        let url = TestPaths.fixtures.appendingPathComponent("moving_box.mp4")
        let (result, dir) = try scanWithClips(url)
        defer { try? FileManager.default.removeItem(at: dir) }
        let event = try XCTUnwrap(result.events.first)
        let clip = try XCTUnwrap(event.clipPath)
        XCTAssertEqual((clip as NSString).lastPathComponent, "moving_box.DSME_0001.mp4")
        let record = try JSONDecoder().decode(EventRecord.self, from: Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(event.sidecarPath))))
        XCTAssertEqual(record.clip, "moving_box.DSME_0001.mp4")
        XCTAssertEqual(record.startFrame, event.startFrame)
        XCTAssertEqual(record.endFrame, event.endFrame)
        let data = try Data(contentsOf: URL(fileURLWithPath: clip))
        XCTAssertEqual(record.clipBytes, data.count)
        let sha = try ProcessRunner.run(["sha256sum", clip]).stdout.split(separator: " ").first.map(String.init)
        XCTAssertEqual(record.clipSHA256, sha)
        XCTAssertEqual(record.requestedPreRollSeconds, 38.0 / 25.0)
        XCTAssertGreaterThanOrEqual(record.achievedPreRollSeconds, record.requestedPreRollSeconds)
        XCTAssertEqual(try ClipInspection.streamTypes(clip), ["video", "audio"], "AAC audio is carried")
    }

    func testAudioTheContainerCannotHoldIsDroppedInMP4AndKeptInMKV() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("pcm.mkv")
        let made = try ProcessRunner.run(["ffmpeg", "-v", "error", "-i", TestPaths.fixtures.appendingPathComponent("moving_box.mp4").path,
                                          "-c:v", "copy", "-c:a", "pcm_s16le", "-y", source.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        let (mp4, mp4Dir) = try scanWithClips(source, container: .mp4)
        defer { try? FileManager.default.removeItem(at: mp4Dir) }
        let mp4Clip = try XCTUnwrap(mp4.events.first?.clipPath)
        XCTAssertEqual(try ClipInspection.streamTypes(mp4Clip), ["video"])
        let record = try JSONDecoder().decode(EventRecord.self, from: Data(contentsOf: URL(fileURLWithPath: mp4.events[0].sidecarPath!)))
        XCTAssertEqual(record.droppedStreams.count, 1)
        XCTAssertTrue(record.droppedStreams[0].contains("pcm_s16le"))
        let (mkv, mkvDir) = try scanWithClips(source, container: .mkv)
        defer { try? FileManager.default.removeItem(at: mkvDir) }
        let mkvClip = try XCTUnwrap(mkv.events.first?.clipPath)
        XCTAssertTrue(mkvClip.hasSuffix(".mkv"))
        XCTAssertEqual(try ClipInspection.streamTypes(mkvClip), ["video", "audio"])
        XCTAssertEqual(try ClipInspection.decodeErrors(mkvClip), "")
    }

    func testKilledWhileWritingLeavesNoCorruptClipAndRecovers() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestPaths.sharedVideos.appendingPathComponent("dvrscan_traffic_camera.mp4")
        let process = try ProcessRunner.start([TestPaths.executable.path, "scan", source.path, "-d", dir.path],
                                              log: dir.appendingPathComponent("scan.log"))
        // The traffic video is one long event: a partial clip exists for most of the scan. Let it write some
        // one-second fragments, then kill it mid-clip.
        let killed = try ClipInspection.killWhileWriting(process, directory: dir, atLeast: 300_000)
        let partialName = try XCTUnwrap(killed.partialName, "no .partial file appeared")
        XCTAssertTrue(killed.killedMidClip, "the scan finished before it could be killed")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertFalse(names.contains(String(partialName.dropLast(".partial".count))), "no final-named clip before it was finished")
        for name in names where name.hasSuffix(".mp4") {
            XCTAssertEqual(try ClipInspection.decodeErrors(dir.appendingPathComponent(name).path), "", name)
        }
        // The next start finalizes the fragmented partial file into a playable clip.
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let recovered = ClipFiles.recover(in: dir.path, logger: logger)
        XCTAssertEqual(recovered.count, 1)
        let names2 = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertFalse(names2.contains { $0.hasSuffix(".partial") || $0.hasSuffix(".finalizing") })
        let clip = try XCTUnwrap(recovered.first)
        XCTAssertEqual(try ClipInspection.decodeErrors(clip), "")
        XCTAssertTrue(try XCTUnwrap(ClipInspection.videoPackets(clip).first).isKey)
    }

    func testUnplayablePartialIsRemoved() throws {
        let dir = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junk = dir.appendingPathComponent("cam.DSME_0001.mp4.partial")
        try Data("not a video".utf8).write(to: junk)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        XCTAssertEqual(ClipFiles.recover(in: dir.path, logger: logger), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }
}
