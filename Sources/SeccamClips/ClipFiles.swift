import Crypto
import Foundation
import Logging
import SeccamMedia

/// File steps of crash-safe clips: a clip is recorded as `NAME.partial`, made final by a remux or rename
/// after `fsync`, and any `.partial` left by a crash is finalized (if playable) or removed at the next start.
public enum ClipFiles {
    static let partialSuffix = ".partial"
    static let finalizingSuffix = ".finalizing"

    /// Makes the recorded `partial` file the final clip at `final`: MP4 is remuxed with `+faststart`,
    /// Matroska is renamed. Both are fsynced before the rename, and the folder after it.
    static func finalize(partial: String, final: String, container: ClipContainer) throws {
        try fsync(path: partial)
        switch container {
        case .mp4:
            let temporary = final + finalizingSuffix
            try remux(from: partial, to: temporary, format: container.formatName, options: ["movflags": "+faststart"])
            try fsync(path: temporary)
            try rename(temporary, final)
            unlink(partial)
        case .mkv:
            try rename(partial, final)
        }
        try fsync(path: (final as NSString).deletingLastPathComponent)
    }

    /// Finalizes or removes leftover `*.partial` files in `directory` (and deletes `*.finalizing` leftovers).
    /// - Returns: the clips recovered.
    @discardableResult
    public static func recover(in directory: String, logger: Logger) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var recovered: [String] = []
        for name in names where name.hasSuffix(finalizingSuffix) {
            unlink((directory as NSString).appendingPathComponent(name))
        }
        for name in names.sorted() where name.hasSuffix(partialSuffix) {
            let partial = (directory as NSString).appendingPathComponent(name)
            let final = String(partial.dropLast(partialSuffix.count))
            let container: ClipContainer = final.hasSuffix(".mkv") ? .mkv : .mp4
            do {
                guard try videoPacketCount(partial) > 0 else { throw ClipFileError("no video in \(partial)") }
                let temporary = partial + ".recovering"
                let size = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int).flatMap { $0 }
                try remux(from: partial, to: temporary, format: container.formatName,
                          options: container == .mp4 ? ["movflags": "+faststart"] : [:], fileSize: size.map(Int64.init))
                try fsync(path: temporary)
                try rename(temporary, final)
                unlink(partial)
                recovered.append(final)
                logger.info("recovered an interrupted clip", metadata: ["clip.path": "\(final)"])
            } catch {
                unlink(partial)
                unlink(partial + ".recovering")
                logger.info("removed an unplayable interrupted clip", metadata: ["clip.path": "\(partial)", "error": "\(error)"])
            }
        }
        return recovered
    }

    /// Size and SHA-256 (lower-case hex) of a file.
    public static func digest(path: String) throws -> (bytes: Int, sha256: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ClipFileError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        return (bytes, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Copies every stream of `source` into a new file (no re-encoding), shifting all streams so that the
    /// video starts at 0 again (fragmented MP4 has no edit list, so its muxer delayed B-frame streams).
    /// With `fileSize`, copying stops at the first packet cut short (its payload runs past the end of the file),
    /// as in the last fragment of a clip whose writer was killed.
    static func remux(from source: String, to destination: String, format: String, options: [String: String],
                      fileSize: Int64? = nil) throws {
        let demuxer = try Demuxer(source: SourceURL(source))
        let muxer = try Muxer(path: destination, format: format)
        for stream in demuxer.streams { _ = try muxer.addStream(copying: stream.index, of: demuxer) }
        let videoStart = demuxer.videoStreamIndex.flatMap { demuxer.stream($0).startTime }
        let offsets = demuxer.streams.map { videoStart?.rescaled(to: $0.timeBase).ticks ?? 0 }
        try muxer.writeHeader(options: options)
        var packet = try Packet()
        while try demuxer.read(into: &packet) == .packet {
            if let fileSize, packet.isCorrupt || (packet.bytePosition.map { $0 + Int64(packet.size) > fileSize } ?? false) { break }
            try muxer.write(packet, toStream: packet.streamIndex, offset: offsets[packet.streamIndex])
        }
        try muxer.finish()
    }

    private static func videoPacketCount(_ path: String) throws -> Int {
        let demuxer = try Demuxer(source: SourceURL(path))
        guard let video = demuxer.videoStreamIndex else { return 0 }
        var packet = try Packet()
        var count = 0
        while try demuxer.read(into: &packet) == .packet {
            if packet.streamIndex == video { count += 1 }
        }
        return count
    }

    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ClipFileError("cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw ClipFileError("fsync \(path): \(String(cString: strerror(errno)))") }
    }

    private static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw ClipFileError("rename \(from) -> \(to): \(String(cString: strerror(errno)))")
        }
    }
}

/// A clip file operation that failed, with the path and the system's reason.
public struct ClipFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
