import Foundation
import SeccamTestSupport
import XCTest

import SeccamSpool

final class SpoolDirectoryTests: XCTestCase {
    var temp: URL!
    var spool: SpoolDirectory!

    override func setUpWithError() throws {
        temp = try TestPaths.makeTemporaryDirectory()
        spool = try SpoolDirectory(root: temp.appendingPathComponent("spool").path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temp)
    }

    /// Writes a clip of `size` pseudo-random bytes (and optionally a sidecar) with the given modification time.
    func makeClip(_ name: String, size: Int = 1000, sidecar: [String: Any]? = nil, modified: Date? = nil) throws -> String {
        let path = temp.appendingPathComponent(name).path
        var generator = SystemRandomNumberGenerator()
        try Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: path))
        if let sidecar {
            let json = try JSONSerialization.data(withJSONObject: sidecar)
            try json.write(to: URL(fileURLWithPath: ((path as NSString).deletingPathExtension) + ".json"))
        }
        if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path) }
        return path
    }

    func testLayoutIsCreated() {
        for state in SpoolState.allCases {
            var isDirectory: ObjCBool = false
            XCTAssertTrue(FileManager.default.fileExists(atPath: spool.folder(state), isDirectory: &isDirectory))
            XCTAssertTrue(isDirectory.boolValue)
        }
    }

    func testRelativeRootIsMadeAbsolute() throws {
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(temp.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let relative = try SpoolDirectory(root: "relative-spool")
        XCTAssertEqual(relative.root, temp.appendingPathComponent("relative-spool").path)
        XCTAssertEqual(try relative.enqueue(clip: makeClip("r.mp4")).state, .pending)
    }

    func testEnqueueWritesManifestWithHashesAndSidecarMetadata() throws {
        let clip = try makeClip("clip.DSME_0001.mp4", size: 5000, sidecar: [
            "camera": "door", "eventIndex": 1, "peakScore": 12.5, "wallClockStart": "2026-11-20T08:00:01Z",
            "triggeredRegions": ["door", "yard"], "boundingBox": ["x": 1],
        ])
        let entry = try spool.enqueue(clip: clip)
        XCTAssertEqual(entry.state, .pending)
        XCTAssertEqual(entry.manifest.fileName, "clip.DSME_0001.mp4")
        XCTAssertEqual(entry.manifest.camera, "door")
        XCTAssertEqual(entry.manifest.size, 5000)
        let data = try Data(contentsOf: URL(fileURLWithPath: clip))
        let sha = try ProcessRunner.run(["sha256sum", clip]).stdout.prefix(64)
        XCTAssertEqual(entry.manifest.sha256, String(sha))
        XCTAssertEqual(entry.manifest.event["eventIndex"], "1")
        XCTAssertEqual(entry.manifest.event["peakScore"], "12.5")
        XCTAssertEqual(entry.manifest.event["triggeredRegions"], "door,yard")
        XCTAssertNil(entry.manifest.event["boundingBox"])
        XCTAssertEqual(entry.manifest.sidecarFileName, "clip.DSME_0001.json")
        XCTAssertTrue(entry.id.hasPrefix("20261120T080001.000Z-"), entry.id)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: entry.clipPath)), data)
        XCTAssertTrue(FileManager.default.fileExists(atPath: entry.sidecarPath!))
        // The original stays where it was; the manifest reads back identically.
        XCTAssertTrue(FileManager.default.fileExists(atPath: clip))
        let reread = try XCTUnwrap(spool.entry(id: entry.id))
        XCTAssertEqual(reread.manifest, entry.manifest)
        XCTAssertEqual(reread.state, .pending)
        // No hidden temporaries left.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: spool.folder(.pending)), [entry.id])
    }

    func testEnqueueRefusesMissingClipAndNamesIt() {
        XCTAssertThrowsError(try spool.enqueue(clip: "/nonexistent/clip.mp4")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/clip.mp4"), "\(error)")
            XCTAssertTrue("\(error)".contains("No such file"), "\(error)")
        }
        XCTAssertEqual(spool.entries(in: .pending).count, 0)
    }

    func testClaimsOldestFirstAndRespectsSchedule() throws {
        let now = Date()
        let newer = try spool.enqueue(clip: makeClip("b.mp4", modified: now.addingTimeInterval(-10)))
        let older = try spool.enqueue(clip: makeClip("a.mp4", modified: now.addingTimeInterval(-100)))
        var oldest = older
        oldest.manifest.nextAttemptAt = now.addingTimeInterval(60)
        try spool.save(oldest)

        guard case .claimed(let first) = try spool.claimNext() else { return XCTFail("expected a claim") }
        XCTAssertEqual(first.id, newer.id, "the older entry is not due yet")
        XCTAssertEqual(first.state, .inflight)
        guard case .notDueUntil(let when) = try spool.claimNext() else { return XCTFail("expected nothing due") }
        XCTAssertEqual(when.timeIntervalSince1970, now.addingTimeInterval(60).timeIntervalSince1970, accuracy: 0.01)
        guard case .claimed(let second) = try spool.claimNext(isDue: { _ in true }) else { return XCTFail("expected a claim") }
        XCTAssertEqual(second.id, older.id)
        guard case .empty = try spool.claimNext() else { return XCTFail("expected empty") }
    }

    func testOldestFirstOrderOfManyEntries() throws {
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        var ids: [String] = []
        for i in [5, 3, 9, 1, 7] {
            ids.append(try spool.enqueue(clip: makeClip("c\(i).mp4", modified: base.addingTimeInterval(Double(i)))).id)
        }
        var claimed: [String] = []
        while case .claimed(let entry) = try spool.claimNext() { claimed.append(entry.manifest.fileName) }
        XCTAssertEqual(claimed, ["c1.mp4", "c3.mp4", "c5.mp4", "c7.mp4", "c9.mp4"])
    }

    func testMovesKeepManifestChanges() throws {
        _ = try spool.enqueue(clip: makeClip("a.mp4"))
        guard case .claimed(var entry) = try spool.claimNext() else { return XCTFail() }
        entry.manifest.attempts = 3
        entry.manifest.lastError = "http: HTTP 403 AccessDenied"
        let failed = try spool.move(entry, to: .failed)
        XCTAssertEqual(spool.entries(in: .failed).map(\.manifest), [failed.manifest])
        XCTAssertEqual(spool.entries(in: .inflight).count, 0)
        let retried = try spool.retry()
        XCTAssertEqual(retried.count, 1)
        XCTAssertEqual(spool.entries(in: .pending).first?.manifest.attempts, 0)
        XCTAssertEqual(spool.entries(in: .pending).first?.manifest.lastError, "http: HTTP 403 AccessDenied")
    }

    // MARK: - Crash-recovery layouts

    func testRecoveryRequeuesInflightAndKeepsMultipartProgress() throws {
        _ = try spool.enqueue(clip: makeClip("a.mp4"))
        _ = try spool.enqueue(clip: makeClip("b.mp4"))
        guard case .claimed(var entry) = try spool.claimNext() else { return XCTFail() }
        entry.manifest.multipart = .init(uploadId: "u-1", key: "cam/a.mp4", partSize: 5 << 20,
                                         parts: [.init(number: 1, size: 5 << 20, etag: "\"abc\"")])
        try spool.save(entry)
        // The process dies here: the entry stays in inflight/.
        let recovery = try SpoolDirectory(root: spool.root).recover()
        XCTAssertEqual(recovery.requeued, [entry.id])
        XCTAssertEqual(spool.entries(in: .inflight).count, 0)
        let requeued = try XCTUnwrap(spool.entries(in: .pending).first { $0.id == entry.id })
        XCTAssertEqual(requeued.manifest.multipart?.parts.count, 1)
        XCTAssertEqual(spool.entries(in: .pending).count, 2)
    }

    func testRecoveryRemovesStrayTemporariesOfDeadWriters() throws {
        let kept = try spool.enqueue(clip: makeClip("a.mp4"))
        // An enqueue cut short by a crash (pid 999999 is not running), and a manifest rewrite cut short.
        let deadStaging = (spool.folder(.pending) as NSString).appendingPathComponent(".enqueue-999999-x.tmp")
        try FileManager.default.createDirectory(atPath: deadStaging, withIntermediateDirectories: false)
        try Data("half".utf8).write(to: URL(fileURLWithPath: deadStaging + "/clip.mp4"))
        let halfManifest = kept.directory + "/manifest.json.tmp"
        try Data("{\"id\": ".utf8).write(to: URL(fileURLWithPath: halfManifest))
        // A staging folder of a live writer (this process's parent, which is alive) is left alone.
        let liveStaging = (spool.folder(.pending) as NSString).appendingPathComponent(".enqueue-\(getppid())-y.tmp")
        try FileManager.default.createDirectory(atPath: liveStaging, withIntermediateDirectories: false)

        let recovery = try spool.recover()
        XCTAssertEqual(Set(recovery.removedTemporaries), [deadStaging, halfManifest])
        XCTAssertFalse(FileManager.default.fileExists(atPath: deadStaging))
        XCTAssertFalse(FileManager.default.fileExists(atPath: halfManifest))
        XCTAssertTrue(FileManager.default.fileExists(atPath: liveStaging))
        XCTAssertEqual(spool.entries(in: .pending).map(\.id), [kept.id])
        XCTAssertEqual(try spool.recover(), SpoolDirectory.Recovery(removedTemporaries: []), "recovery is idempotent")
    }

    func testRecoveryReportsEntryWithoutManifest() throws {
        let broken = (spool.folder(.inflight) as NSString).appendingPathComponent("20260101T000000.000Z-deadbeef")
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: false)
        let recovery = try spool.recover()
        XCTAssertEqual(recovery.unreadable, [broken])
        XCTAssertEqual(recovery.requeued, ["20260101T000000.000Z-deadbeef"], "still requeued so nothing stays inflight")
        XCTAssertEqual(spool.entries(in: .pending).count, 0, "an entry without a manifest is not listed")
    }

    func testUploaderLockIsExclusive() throws {
        let lock = try spool.lockForUploading()
        XCTAssertThrowsError(try SpoolDirectory(root: spool.root).lockForUploading()) { error in
            XCTAssertTrue("\(error)".contains("another uploader (pid \(getpid()))"), "\(error)")
        }
        _ = lock
    }

    func testPurgeRemovesOnlyTheGivenState() throws {
        _ = try spool.enqueue(clip: makeClip("a.mp4"))
        _ = try spool.enqueue(clip: makeClip("b.mp4"))
        guard case .claimed(let entry) = try spool.claimNext() else { return XCTFail() }
        try spool.move(entry, to: .done)
        XCTAssertEqual(try spool.purge(.done), [entry.id])
        XCTAssertEqual(spool.entries(in: .pending).count, 1)
        XCTAssertEqual(spool.entries(in: .done).count, 0)
    }
}
