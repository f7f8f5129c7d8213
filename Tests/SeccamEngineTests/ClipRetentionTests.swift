import Foundation
import Logging
import SeccamEngine
import SeccamTestSupport
import Synchronization
import XCTest

private final class Dropped: Sendable {
    let names = Mutex<[String]>([])
}

/// Retention by age and disk budget: uploaded clips go first, oldest first; clips waiting for upload only
/// below the hard floor; partial files never.
final class ClipRetentionTests: XCTestCase {
    private var root: URL!
    private let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    override func setUpWithError() throws { root = try TestPaths.makeTemporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// Writes OUTPUT/<camera>/<day>/<name>.mp4 (+ .json) of `bytes` bytes, `age` seconds old.
    @discardableResult
    private func clip(_ camera: String, _ name: String, bytes: Int, age: Double, sidecar: Bool = true) throws -> String {
        let folder = root.appendingPathComponent("\(camera)/2026-11-25")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(name).mp4").path
        try Data(count: bytes).write(to: URL(fileURLWithPath: path))
        if sidecar { try Data("{}".utf8).write(to: folder.appendingPathComponent("\(name).json")) }
        let time = now.addingTimeInterval(-age)
        try FileManager.default.setAttributes([.modificationDate: time], ofItemAtPath: path)
        return path
    }

    private func retention(_ policy: RetentionPolicy, waiting: Set<String> = [], free: Double = 50,
                           cameraMaxAge: Double? = nil) -> ClipRetention {
        ClipRetention(
            policy: policy,
            cameras: [("a", root.appendingPathComponent("a").path, cameraMaxAge), ("b", root.appendingPathComponent("b").path, nil)],
            isWaitingForUpload: { _, name in waiting.contains(name) },
            diskSpace: { _ in (Int64(free * 1000), 100_000) })
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func testAgeLimitDeletesOldUploadedClipsWithSidecarsButNotWaitingOnes() throws {
        let old = try clip("a", "old", bytes: 10, age: 40 * 86_400)
        let oldWaiting = try clip("b", "old-waiting", bytes: 10, age: 40 * 86_400)
        let fresh = try clip("a", "fresh", bytes: 10, age: 3600)
        var policy = RetentionPolicy()
        policy.maxAge = 30 * 86_400
        let report = retention(policy, waiting: ["old-waiting.mp4"]).sweep(now: now, logger: logger)
        XCTAssertEqual(report.deleted, [old])
        XCTAssertFalse(exists(old))
        XCTAssertFalse(exists(String(old.dropLast(4)) + ".json"), "the sidecar goes with its clip")
        XCTAssertTrue(exists(oldWaiting))
        XCTAssertTrue(exists(fresh))
    }

    func testCameraMaxAgeOverridesTheGlobalOne() throws {
        let a = try clip("a", "a2days", bytes: 10, age: 2 * 86_400)
        let b = try clip("b", "b2days", bytes: 10, age: 2 * 86_400)
        var policy = RetentionPolicy()
        policy.maxAge = 30 * 86_400
        _ = retention(policy, cameraMaxAge: 86_400).sweep(now: now, logger: logger)
        XCTAssertFalse(exists(a))
        XCTAssertTrue(exists(b))
    }

    func testByteBudgetDeletesOldestUploadedFirstAndKeepsWaitingClips() throws {
        let oldest = try clip("a", "1", bytes: 1000, age: 500, sidecar: false)
        let waiting = try clip("b", "2", bytes: 1000, age: 400, sidecar: false)
        let middle = try clip("a", "3", bytes: 1000, age: 300, sidecar: false)
        let newest = try clip("b", "4", bytes: 1000, age: 200, sidecar: false)
        var policy = RetentionPolicy()
        policy.maxBytes = 2500
        let report = retention(policy, waiting: ["2.mp4"]).sweep(now: now, logger: logger)
        XCTAssertEqual(report.deleted, [oldest, middle])
        XCTAssertEqual(report.bytesFreed, 2000)
        XCTAssertTrue(exists(waiting))
        XCTAssertTrue(exists(newest))
    }

    func testBelowTheHardFloorWaitingClipsAreDeletedOldestFirst() throws {
        let first = try clip("a", "1", bytes: 10, age: 500)
        let second = try clip("a", "2", bytes: 10, age: 400)
        var policy = RetentionPolicy()
        policy.minFreePercent = 5
        policy.hardFloorPercent = 1
        // 0.5 % free and nothing uploaded: the hard floor deletes waiting clips (the fake disk never frees up).
        var floor = retention(policy, waiting: ["1.mp4", "2.mp4"], free: 0.5)
        let dropped = Dropped()
        floor.dropFromSpool = { camera, file in dropped.names.withLock { $0.append("\(camera)/\(file)") } }
        let report = floor.sweep(now: now, logger: logger)
        XCTAssertEqual(report.deletedWaiting, [first, second])
        XCTAssertEqual(dropped.names.withLock { $0 }, ["a/1.mp4", "a/2.mp4"], "their spool entries go too, or no space is freed")
        // 3 % free (between the floor and min-free): waiting clips stay.
        let kept = try clip("a", "3", bytes: 10, age: 300)
        let calm = retention(policy, waiting: ["3.mp4"], free: 3).sweep(now: now, logger: logger)
        XCTAssertEqual(calm, ClipRetention.Report())
        XCTAssertTrue(exists(kept))
    }

    func testPartialFilesAreNeverTouched() throws {
        let folder = root.appendingPathComponent("a/2026-11-25")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let partial = folder.appendingPathComponent("x.mp4.partial").path
        try Data(count: 10_000).write(to: URL(fileURLWithPath: partial))
        var policy = RetentionPolicy()
        policy.maxBytes = 1
        policy.maxAge = 1
        _ = retention(policy, free: 0).sweep(now: now.addingTimeInterval(1e6), logger: logger)
        XCTAssertTrue(exists(partial))
    }
}
