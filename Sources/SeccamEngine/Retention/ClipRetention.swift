import Foundation
import Logging

/// Disk safety for `run`: deletes clips (with their sidecars and thumbnails) by age and to keep the disk
/// budget, oldest first, and only clips that are no longer waiting for upload, except when free space falls
/// below the hard floor (then the oldest waiting clips go too, each logged as an error).
public struct ClipRetention: Sendable {
    /// A clip on disk: its camera, path, size (with sidecar and thumbnail) and time.
    public struct Clip: Sendable, Equatable {
        public var camera: String
        public var path: String
        public var bytes: Int64
        public var modified: Date
        /// The sidecar and thumbnail that go with the clip.
        public var companions: [String]
    }

    /// What one sweep deleted.
    public struct Report: Sendable, Equatable {
        public var deleted: [String] = []
        /// Clips deleted although still waiting for upload (hard floor).
        public var deletedWaiting: [String] = []
        public var bytesFreed: Int64 = 0

        public init() {}
    }

    public var policy: RetentionPolicy
    /// Each camera's clip root (`OUTPUT/<camera>`) and its own max age, if any.
    public var cameras: [(name: String, root: String, maxAge: Double?)]
    /// Whether a clip (camera, file name) still waits in the spool; without a spool nothing waits.
    public var isWaitingForUpload: @Sendable (String, String) -> Bool
    /// Free space of the file system holding a path (statvfs; replaceable in tests).
    public var diskSpace: @Sendable (String) -> (freeBytes: Int64, totalBytes: Int64)?
    /// Drops a waiting clip's spool entry when the hard floor deletes the clip (the spool holds a hard link,
    /// so the space is only freed when both go).
    public var dropFromSpool: @Sendable (String, String) -> Void = { _, _ in }

    public init(policy: RetentionPolicy, cameras: [(name: String, root: String, maxAge: Double?)],
                isWaitingForUpload: @escaping @Sendable (String, String) -> Bool = { _, _ in false },
                diskSpace: @escaping @Sendable (String) -> (freeBytes: Int64, totalBytes: Int64)? = ClipRetention.statvfsSpace) {
        self.policy = policy
        self.cameras = cameras
        self.isWaitingForUpload = isWaitingForUpload
        self.diskSpace = diskSpace
    }

    /// Every finished clip (`.mp4`/`.mkv`; partial files never) under the cameras' dated folders, oldest first.
    public func clips() -> [Clip] {
        var found: [Clip] = []
        let files = FileManager.default
        for camera in cameras {
            for day in (try? files.contentsOfDirectory(atPath: camera.root)) ?? [] {
                let folder = (camera.root as NSString).appendingPathComponent(day)
                let names = Set((try? files.contentsOfDirectory(atPath: folder)) ?? [])
                for name in names where name.hasSuffix(".mp4") || name.hasSuffix(".mkv") {
                    let path = (folder as NSString).appendingPathComponent(name)
                    let stem = (name as NSString).deletingPathExtension
                    let companions = names.filter { $0 != name && ($0 == stem + ".json" || ($0.hasPrefix(stem) && $0.hasSuffix(".jpg"))) }
                        .map { (folder as NSString).appendingPathComponent($0) }
                    var info = stat()
                    guard stat(path, &info) == 0 else { continue }
                    let companionBytes = companions.reduce(Int64(0)) { sum, p in
                        var s = stat()
                        return sum + (stat(p, &s) == 0 ? Int64(s.st_size) : 0)
                    }
                    found.append(Clip(camera: camera.name, path: path, bytes: Int64(info.st_size) + companionBytes,
                                      modified: Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec)),
                                      companions: companions.sorted()))
                }
            }
        }
        return found.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }
    }

    /// Applies the policy once.
    public func sweep(now: Date = Date(), logger: Logger) -> Report {
        var report = Report()
        var remaining = clips()
        let maxAge = Dictionary(uniqueKeysWithValues: cameras.map { ($0.name, $0.maxAge ?? policy.maxAge) })
        func waiting(_ clip: Clip) -> Bool { isWaitingForUpload(clip.camera, (clip.path as NSString).lastPathComponent) }
        func delete(_ clip: Clip, waitingForUpload: Bool) {
            for path in [clip.path] + clip.companions { try? FileManager.default.removeItem(atPath: path) }
            remaining.removeAll { $0.path == clip.path }
            report.bytesFreed += clip.bytes
            if waitingForUpload {
                dropFromSpool(clip.camera, (clip.path as NSString).lastPathComponent)
                report.deletedWaiting.append(clip.path)
                logger.error("disk almost full: deleted a clip that was not uploaded yet",
                             metadata: ["camera.id": "\(clip.camera)", "clip.path": "\(clip.path)"])
            } else {
                report.deleted.append(clip.path)
                logger.info("retention: deleted a clip", metadata: ["camera.id": "\(clip.camera)", "clip.path": "\(clip.path)"])
            }
        }

        // 1. Age limits, uploaded clips only.
        for clip in remaining {
            guard let limit = maxAge[clip.camera] ?? nil, now.timeIntervalSince(clip.modified) > limit, !waiting(clip) else { continue }
            delete(clip, waitingForUpload: false)
        }
        // 2. The budget: total bytes and minimum free space, oldest uploaded clips first.
        let root = cameras.first.map { ($0.root as NSString).deletingLastPathComponent } ?? "."
        func freePercent() -> Double? {
            guard let space = diskSpace(root), space.totalBytes > 0 else { return nil }
            return Double(space.freeBytes) * 100 / Double(space.totalBytes)
        }
        func overBudget() -> Bool {
            if let max = policy.maxBytes, remaining.reduce(0, { $0 + $1.bytes }) > max { return true }
            if let free = freePercent(), free < policy.minFreePercent { return true }
            return false
        }
        while overBudget(), let oldest = remaining.first(where: { !waiting($0) }) {
            delete(oldest, waitingForUpload: false)
        }
        // 3. Below the hard floor, clips waiting for upload go too (oldest first).
        while let free = freePercent(), free < policy.hardFloorPercent, let oldest = remaining.first {
            delete(oldest, waitingForUpload: true)
        }
        return report
    }

    /// Free and total bytes from `statvfs`.
    public static let statvfsSpace: @Sendable (String) -> (freeBytes: Int64, totalBytes: Int64)? = { path in
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return (Int64(info.f_bavail) * Int64(info.f_frsize), Int64(info.f_blocks) * Int64(info.f_frsize))
    }
}
