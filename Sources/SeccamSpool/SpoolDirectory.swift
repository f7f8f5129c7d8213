import Crypto
import Foundation
import Logging

/// One entry of the spool: its state (the folder it is in), its manifest and where its files are.
public struct SpoolEntry: Sendable {
    public var state: SpoolState
    public var manifest: SpoolManifest
    /// The entry folder, `<root>/<state>/<id>`.
    public var directory: String
    public var id: String { manifest.id }
    /// The clip inside the entry folder (absent in `done/` once delivered, unless clips are kept).
    public var clipPath: String { (directory as NSString).appendingPathComponent(manifest.fileName) }
    /// The copy of the clip's sidecar, when one was enqueued.
    public var sidecarPath: String? {
        manifest.sidecarFileName == nil ? nil : (directory as NSString).appendingPathComponent(SpoolDirectory.sidecarName)
    }
}

/// A durable upload spool whose state *is* its layout (ARCHITECTURE.md, rule 9):
///
/// ```
/// <root>/pending/<id>/{manifest.json, <clip file>, sidecar.json?}   waiting (the recorder only adds here)
/// <root>/inflight/<id>/…                                            claimed by the uploader
/// <root>/done/<id>/manifest.json                                    confirmed by the server (clip removed unless kept)
/// <root>/failed/<id>/…                                              refused permanently; reason in the manifest
/// <root>/uploader.lock                                              flock held by the one uploader process
/// <root>/notifications/<role>/*.json                                webhooks not yet delivered (NotificationOutbox; `run`, `upload`)
/// ```
///
/// Each entry is a folder, so one `rename` moves the clip and its manifest together. Every change is written to a
/// temporary name, fsynced, renamed, and the parent folder fsynced. An entry is built in a hidden
/// `pending/.enqueue-<pid>-<id>.tmp` folder and appears in `pending/` by one rename. ``recover()`` (run by the
/// uploader at start, under the lock) moves `inflight/` entries back to `pending/` and removes temporaries whose
/// writer is gone.
public final class SpoolDirectory: Sendable {
    public let root: String
    private let logger: Logger
    static let manifestName = "manifest.json"
    static let sidecarName = "sidecar.json"
    static let temporarySuffix = ".tmp"

    /// Opens (creating if needed) the spool at `root` with its four state folders.
    /// - Throws: `.io` when a folder cannot be created.
    public init(root: String, logger: Logger = Logger(label: "seccam.spool", factory: { _ in SwiftLogNoOpLogHandler() })) throws(SpoolError) {
        // Absolute, so that parent folders can be fsynced ("spool" → "<cwd>/spool").
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
        self.logger = logger
        for folder in [self.root] + SpoolState.allCases.map({ (self.root as NSString).appendingPathComponent($0.folderName) }) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw SpoolError(.io, operation: "opening spool \(self.root)", reason: "\(folder) is not a folder") }
                continue
            }
            guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { throw .io("creating spool folder \(folder)", call: "mkdir") }
            try Self.syncDirectory((folder as NSString).deletingLastPathComponent)
        }
    }

    /// The folder of a state.
    public func folder(_ state: SpoolState) -> String { (root as NSString).appendingPathComponent(state.folderName) }

    // MARK: - Enqueue

    /// Adds a finished clip (and its JSON sidecar, if any) to `pending/`: the clip is hard-linked into the entry
    /// (copied when on another file system), hashed, and the manifest written; the entry appears in one rename.
    /// The original files are left in place.
    /// - Parameters:
    ///   - clip: path of the clip.
    ///   - sidecar: its JSON sidecar; event metadata (scalar values) is copied into the manifest.
    ///     Nil means "look for `<clip without extension>.json`".
    ///   - camera: camera name when the sidecar has none.
    /// - Returns: the new pending entry.
    /// - Throws: `.io` (clip unreadable, disk full), `.invalidInput` (not a regular file, unreadable sidecar).
    @discardableResult
    public func enqueue(clip: String, sidecar: String? = nil, camera: String? = nil) throws(SpoolError) -> SpoolEntry {
        let fileName = (clip as NSString).lastPathComponent
        var info = stat()
        guard stat(clip, &info) == 0 else { throw .io("enqueuing \(clip)", call: "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SpoolError(.invalidInput, operation: "enqueuing \(clip)", reason: "not a regular file") }
        let sidecarPath = sidecar ?? {
            let guess = ((clip as NSString).deletingPathExtension) + ".json"
            return guess != clip && FileManager.default.fileExists(atPath: guess) ? guess : nil
        }()
        var event: [String: String] = [:]
        if let sidecarPath { event = try Self.eventMetadata(sidecar: sidecarPath) }
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        let recordedAt = event["wallClockStart"].flatMap(SpoolTime.parse) ?? modified
        let id = SpoolTime.compact(recordedAt) + "-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))

        let pending = folder(.pending)
        let staging = (pending as NSString).appendingPathComponent(".enqueue-\(getpid())-\(id)\(Self.temporarySuffix)")
        guard mkdir(staging, 0o755) == 0 else { throw .io("enqueuing \(clip)", call: "mkdir \(staging)") }
        var committed = false
        defer { if !committed { try? FileManager.default.removeItem(atPath: staging) } }

        let stagedClip = (staging as NSString).appendingPathComponent(fileName)
        if link(clip, stagedClip) != 0 {
            do { try FileManager.default.copyItem(atPath: clip, toPath: stagedClip) } catch {
                throw SpoolError(.io, operation: "copying \(clip) into the spool", call: "copy", reason: error.localizedDescription)
            }
            try Self.syncFile(stagedClip)
        }
        if let sidecarPath {
            let stagedSidecar = (staging as NSString).appendingPathComponent(Self.sidecarName)
            do { try FileManager.default.copyItem(atPath: sidecarPath, toPath: stagedSidecar) } catch {
                throw SpoolError(.io, operation: "copying sidecar \(sidecarPath) into the spool", call: "copy", reason: error.localizedDescription)
            }
            try Self.syncFile(stagedSidecar)
        }
        let digest = try Self.digest(path: stagedClip)
        var manifest = SpoolManifest(
            id: id, fileName: fileName, camera: event["camera"] ?? camera, recordedAt: recordedAt, enqueuedAt: Date(),
            event: event, sidecarFileName: sidecarPath.map { ($0 as NSString).lastPathComponent },
            size: digest.size, sha256: digest.sha256, md5: digest.md5)
        manifest = try manifest.roundTripped()   // the in-memory value equals the file (dates in milliseconds)
        try Self.writeManifest(manifest, in: staging)
        try Self.syncDirectory(staging)
        let final = (pending as NSString).appendingPathComponent(id)
        guard rename(staging, final) == 0 else { throw .io("enqueuing \(clip)", call: "rename \(staging) -> \(final)") }
        committed = true
        try Self.syncDirectory(pending)
        logger.debug("enqueued a clip", metadata: ["spool.entry": "\(id)", "clip.path": "\(clip)"])
        return SpoolEntry(state: .pending, manifest: manifest, directory: final)
    }

    /// Scalar values of a sidecar's top-level JSON object (and string lists, comma-joined), as strings.
    static func eventMetadata(sidecar path: String) throws(SpoolError) -> [String: String] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SpoolError(.invalidInput, operation: "reading sidecar \(path)", reason: error.localizedDescription)
        }
        guard let dictionary = object as? [String: Any] else {
            throw SpoolError(.invalidInput, operation: "reading sidecar \(path)", reason: "not a JSON object")
        }
        var event: [String: String] = [:]
        for (key, value) in dictionary {
            switch value {
            case let string as String: event[key] = string
            case let number as NSNumber: event[key] = number.stringValue
            case let list as [String]: event[key] = list.joined(separator: ",")
            default: continue
            }
        }
        return event
    }

    // MARK: - Listing and claiming

    /// The entries in `state`, oldest first (by id). Entries whose manifest cannot be read are skipped and logged.
    public func entries(in state: SpoolState) -> [SpoolEntry] {
        entryNames(in: state).compactMap { name in
            let directory = (folder(state) as NSString).appendingPathComponent(name)
            do {
                return SpoolEntry(state: state, manifest: try Self.readManifest(in: directory), directory: directory)
            } catch {
                logger.info("skipping an unreadable spool entry", metadata: ["spool.entry": "\(directory)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// Entry folder names in `state`, sorted (hidden temporaries excluded).
    func entryNames(in state: SpoolState) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder(state))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// One entry by id, wherever it is.
    public func entry(id: String) -> SpoolEntry? {
        for state in SpoolState.allCases {
            let directory = (folder(state) as NSString).appendingPathComponent(id)
            if let manifest = try? Self.readManifest(in: directory) { return SpoolEntry(state: state, manifest: manifest, directory: directory) }
        }
        return nil
    }

    /// The result of ``claimNext(isDue:)``.
    public enum Claim: Sendable {
        /// The oldest due entry, now in `inflight/`.
        case claimed(SpoolEntry)
        /// Nothing is due; the earliest scheduled retry is at this time.
        case notDueUntil(Date)
        /// `pending/` is empty.
        case empty
    }

    /// Moves the oldest due pending entry to `inflight/`. Safe against other claimers: the loser of a rename race
    /// simply moves on to the next entry.
    /// - Parameter isDue: decides whether an entry may be tried now (default: `nextAttemptAt` is nil or past).
    public func claimNext(isDue: (SpoolManifest) -> Bool = { ($0.nextAttemptAt ?? .distantPast) <= Date() }) throws(SpoolError) -> Claim {
        var earliest: Date?
        for name in entryNames(in: .pending) {
            let directory = (folder(.pending) as NSString).appendingPathComponent(name)
            guard let manifest = try? Self.readManifest(in: directory) else { continue }
            guard isDue(manifest) else {
                if let next = manifest.nextAttemptAt { earliest = min(earliest ?? next, next) }
                continue
            }
            let target = (folder(.inflight) as NSString).appendingPathComponent(name)
            guard rename(directory, target) == 0 else {
                if errno == ENOENT { continue }   // another claimer took it
                throw .io("claiming spool entry \(name)", call: "rename \(directory) -> \(target)")
            }
            try Self.syncDirectory(folder(.pending))
            try Self.syncDirectory(folder(.inflight))
            return .claimed(SpoolEntry(state: .inflight, manifest: manifest, directory: target))
        }
        if let earliest { return .notDueUntil(earliest) }
        return .empty
    }

    // MARK: - State changes

    /// Rewrites the entry's manifest atomically (temporary file, fsync, rename, folder fsync).
    public func save(_ entry: SpoolEntry) throws(SpoolError) {
        try Self.writeManifest(entry.manifest, in: entry.directory)
    }

    /// Saves the manifest, then moves the entry folder to `state` by one rename (both folders fsynced).
    /// - Returns: the entry at its new place.
    @discardableResult
    public func move(_ entry: SpoolEntry, to state: SpoolState) throws(SpoolError) -> SpoolEntry {
        try save(entry)
        guard entry.state != state else { return entry }
        let target = (folder(state) as NSString).appendingPathComponent(entry.id)
        guard rename(entry.directory, target) == 0 else {
            throw .io("moving spool entry \(entry.id) from \(entry.state) to \(state)", call: "rename")
        }
        try Self.syncDirectory(folder(entry.state))
        try Self.syncDirectory(folder(state))
        logger.debug("moved a spool entry", metadata: ["spool.entry": "\(entry.id)", "spool.state": "\(state)"])
        return SpoolEntry(state: state, manifest: entry.manifest, directory: target)
    }

    /// What ``recover()`` did.
    public struct Recovery: Sendable, Equatable {
        /// Entries moved from `inflight/` back to `pending/`.
        public var requeued: [String] = []
        /// Temporary files and folders removed.
        public var removedTemporaries: [String] = []
        /// Entry folders without a readable manifest (left in place, reported).
        public var unreadable: [String] = []
        public init(requeued: [String] = [], removedTemporaries: [String] = [], unreadable: [String] = []) {
            self.requeued = requeued
            self.removedTemporaries = removedTemporaries
            self.unreadable = unreadable
        }
    }

    /// Start-up reconciliation: every `inflight/` entry goes back to `pending/` (its manifest keeps the retry
    /// schedule and any multipart progress), and temporaries left by a crash are removed: hidden enqueue folders
    /// whose process is gone and `manifest.json.tmp` files. Run it while holding ``lockForUploading()``.
    @discardableResult
    public func recover() throws(SpoolError) -> Recovery {
        var recovery = Recovery()
        for state in SpoolState.allCases {
            let stateFolder = folder(state)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: stateFolder)) ?? []
            for name in names where name.hasPrefix(".") && name.hasSuffix(Self.temporarySuffix) {
                if let pid = Self.writerPID(of: name), pid != getpid(), kill(pid, 0) == 0 { continue }   // still being written
                let path = (stateFolder as NSString).appendingPathComponent(name)
                try? FileManager.default.removeItem(atPath: path)
                recovery.removedTemporaries.append(path)
            }
            for name in names where !name.hasPrefix(".") {
                let directory = (stateFolder as NSString).appendingPathComponent(name)
                for inner in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where inner.hasSuffix(Self.temporarySuffix) {
                    let path = (directory as NSString).appendingPathComponent(inner)
                    unlink(path)
                    recovery.removedTemporaries.append(path)
                }
                if (try? Self.readManifest(in: directory)) == nil { recovery.unreadable.append(directory) }
            }
            if !recovery.removedTemporaries.isEmpty { try Self.syncDirectory(stateFolder) }
        }
        for name in entryNames(in: .inflight) {
            let from = (folder(.inflight) as NSString).appendingPathComponent(name)
            let to = (folder(.pending) as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: to) {
                recovery.unreadable.append(from)   // cannot happen through this API; leave both for a human
                continue
            }
            guard rename(from, to) == 0 else { throw .io("requeuing spool entry \(name)", call: "rename \(from) -> \(to)") }
            recovery.requeued.append(name)
        }
        if !recovery.requeued.isEmpty {
            try Self.syncDirectory(folder(.inflight))
            try Self.syncDirectory(folder(.pending))
        }
        if !recovery.requeued.isEmpty || !recovery.removedTemporaries.isEmpty {
            logger.info("recovered the spool after an interruption", metadata: [
                "spool.root": "\(root)", "spool.requeued": "\(recovery.requeued.count)",
                "spool.removed": "\(recovery.removedTemporaries.count)",
            ])
        }
        return recovery
    }

    /// `.enqueue-<pid>-<id>.tmp` → pid.
    static func writerPID(of name: String) -> pid_t? {
        let parts = name.split(separator: "-")
        guard parts.count >= 2, parts[0] == ".enqueue" else { return nil }
        return pid_t(parts[1])
    }

    /// Moves `failed/` entries (all, or those with the given ids) back to `pending/`, due now, attempts reset.
    /// - Returns: the entries requeued.
    @discardableResult
    public func retry(ids: [String]? = nil) throws(SpoolError) -> [SpoolEntry] {
        var moved: [SpoolEntry] = []
        for var entry in entries(in: .failed) where ids == nil || ids!.contains(entry.id) {
            entry.manifest.attempts = 0
            entry.manifest.nextAttemptAt = nil
            moved.append(try move(entry, to: .pending))
        }
        return moved
    }

    /// Deletes entries in `state` (default `done/`), optionally only those enqueued before `olderThan`.
    /// - Returns: the ids removed.
    @discardableResult
    public func purge(_ state: SpoolState = .done, olderThan: Date? = nil) throws(SpoolError) -> [String] {
        var removed: [String] = []
        for entry in entries(in: state) where olderThan == nil || entry.manifest.enqueuedAt < olderThan! {
            do { try FileManager.default.removeItem(atPath: entry.directory) } catch {
                throw SpoolError(.io, operation: "purging spool entry \(entry.id)", call: "remove", reason: error.localizedDescription)
            }
            removed.append(entry.id)
        }
        if !removed.isEmpty { try Self.syncDirectory(folder(state)) }
        return removed
    }

    // MARK: - Uploader lock

    /// Takes the spool's uploader lock (`flock` on `uploader.lock`), so only one uploader process works on a
    /// spool and ``recover()`` never requeues entries another live uploader is sending. Released when the
    /// returned object goes away (or the process dies).
    /// - Throws: `.busy` naming the holder's pid when another process holds it.
    public func lockForUploading() throws(SpoolError) -> SpoolLock {
        try SpoolLock(path: (root as NSString).appendingPathComponent("uploader.lock"))
    }

    // MARK: - File helpers

    static func readManifest(in directory: String) throws(SpoolError) -> SpoolManifest {
        try SpoolManifest.read(from: (directory as NSString).appendingPathComponent(manifestName))
    }

    static func writeManifest(_ manifest: SpoolManifest, in directory: String) throws(SpoolError) {
        let path = (directory as NSString).appendingPathComponent(manifestName)
        let temporary = path + temporarySuffix
        try writeFile(manifest.encoded(), to: temporary)
        guard rename(temporary, path) == 0 else { throw .io("saving manifest \(path)", call: "rename") }
        try syncDirectory(directory)
    }

    /// Writes and fsyncs a file.
    static func writeFile(_ data: Data, to path: String) throws(SpoolError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("writing \(path)", call: "open") }
        defer { close(fd) }
        let ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard ok else { throw .io("writing \(path)", call: "write") }
        guard fsync(fd) == 0 else { throw .io("writing \(path)", call: "fsync") }
    }

    static func syncFile(_ path: String) throws(SpoolError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("syncing \(path)", call: "open") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("syncing \(path)", call: "fsync") }
    }

    static func syncDirectory(_ path: String) throws(SpoolError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("syncing folder \(path)", call: "open") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("syncing folder \(path)", call: "fsync") }
    }

    /// Size, SHA-256 and MD5 (lower-case hex) of a file, in one pass.
    static func digest(path: String) throws(SpoolError) -> (size: Int, sha256: String, md5: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("hashing \(path)", call: "open") }
        defer { close(fd) }
        var sha = SHA256()
        var md5 = Insecure.MD5()
        var size = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw .io("hashing \(path)", call: "read") }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            sha.update(bufferPointer: chunk)
            md5.update(bufferPointer: chunk)
            size += n
        }
        return (size, Hex.encode(sha.finalize()), Hex.encode(md5.finalize()))
    }
}

/// The uploader lock of a spool (see ``SpoolDirectory/lockForUploading()``).
public final class SpoolLock: Sendable {
    private let fd: Int32

    init(path: String) throws(SpoolError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("locking spool \(path)", call: "open") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw SpoolError(.busy, operation: "locking spool \((path as NSString).deletingLastPathComponent)",
                             reason: "another uploader (pid \(holder)) is using this spool")
        }
        ftruncate(fd, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        self.fd = fd
    }

    deinit { close(fd) }
}

/// Lower-case hex of digests and bytes.
enum Hex {
    static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
