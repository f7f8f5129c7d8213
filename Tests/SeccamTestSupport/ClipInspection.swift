import Foundation

/// Facts about a clip and its source, computed with the real ffprobe/ffmpeg.
public enum ClipInspection {
    public struct VideoPacket: Equatable, Sendable {
        public var pts: Double?
        public var isKey: Bool
        public var size: Int
        public var hash: String
    }

    /// Video packets (stream v:0) in file order with pts seconds (dts where the container has no pts, as AVI), keyframe flag and SHA-256 of the payload.
    public static func videoPackets(_ path: String) throws -> [VideoPacket] {
        let out = try ProcessRunner.run([
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_data_hash", "sha256",
            "-show_entries", "packet=pts_time,dts_time,size,flags,data_hash", "-of", "csv=p=0", path,
        ]).stdout
        return out.split(separator: "\n").map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return VideoPacket(pts: Double(cells[0]) ?? Double(cells[1]), isKey: cells[3].hasPrefix("K"),
                               size: Int(cells[2]) ?? 0, hash: cells[4])
        }
    }

    /// Everything `ffmpeg -v error -i path -f null -` prints (empty for a clean decode).
    public static func decodeErrors(_ path: String) throws -> String {
        let out = try ProcessRunner.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        return out.stderr + (out.status == 0 ? "" : "exit \(out.status)")
    }

    /// The error lines of decoding `path` that decoding `source` does not print too (FFmpeg's context
    /// addresses removed), i.e. the decoder errors the clip added. Lines of ffmpeg's `null` output muxer
    /// (complaints about the CLI's own output timestamps, seen with AVI's packed B-frames) are not decoder errors.
    public static func newDecodeErrors(_ path: String, comparedTo source: String) throws -> [String] {
        func lines(_ text: String) -> [String] {
            text.split(separator: "\n").map { String($0).replacing(#/\s@\s0x[0-9a-f]+/#, with: "") }
                .map { $0.replacing(#/:\s\d+\s>=\s\d+$/#, with: "") }  // frame numbers differ between clip and source
        }
        let own = Set(lines(try decodeErrors(source)))
        return lines(try decodeErrors(path)).filter { !own.contains($0) && !$0.hasPrefix("[null]") }
    }

    /// Stream codec types of a file ("video", "audio").
    public static func streamTypes(_ path: String) throws -> [String] {
        try ProcessRunner.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path])
            .stdout.split(separator: "\n").map(String.init)
    }

    /// Duration of the video stream in seconds (from the container).
    public static func videoDuration(_ path: String) throws -> Double {
        let out = try ProcessRunner.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                         "stream=duration", "-of", "csv=p=0", path]).stdout
        return Double(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

extension ClipInspection {
    /// Waits until `process` (a scan writing clips into `directory`) has a `.partial` clip of at least `bytes`
    /// bytes, then kills it with SIGKILL mid-clip. Returns the partial file's name, or nil if none appeared
    /// within `timeout` seconds; `killedMidClip` is false when the process ended before it could be killed.
    public static func killWhileWriting(_ process: Process, directory: URL, atLeast bytes: Int, timeout: Double = 120)
        throws -> (partialName: String?, killedMidClip: Bool)
    {
        var partial: String?
        let deadline = Date().addingTimeInterval(timeout)
        while partial == nil, process.isRunning, Date() < deadline {
            partial = try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".partial") }
            if partial == nil { usleep(5_000) }
        }
        guard let partial else { return (nil, false) }
        let path = directory.appendingPathComponent(partial).path
        while process.isRunning, ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) < bytes {
            usleep(5_000)
        }
        let running = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return (partial, running)
    }
}
