// seccam-bench: in-process micro-benchmarks of seccam-engine's stages, one case per invocation, one JSON
// object per line on stdout. Run by Benchmarks/bench.py (`make bench`), which starts one process per case
// (so wait4() gives each case its own peak RSS) with the malloc counter preloaded.
//
//   seccam-bench demux FILE [--runs N]                      read every packet, nothing else
//   seccam-bench decode FILE [--gray] [--runs N]            demux + decode (+ dvr-scan gray of every pixel)
//   seccam-bench detector FILE --subtractor mog2|cnt --step S [--warmup N] [--frames N] [--runs N] [--avx2]
//                                                           MotionDetector.process alone, on gray frames of
//                                                           FILE subsampled by S, decoded beforehand
//   seccam-bench preroll FILE [--tb SECONDS] [-l SECONDS]   PacketBuffer.peakBytes of a clip recorder fed
//                                                           every packet of FILE, with scan's retention
//
// Every timed case runs once untimed (warm-up) and then --runs times; it reports median/min/max wall and CPU
// seconds (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID: all threads) per run and per frame, and heap
// allocations per frame counted by Benchmarks/malloc-counter (LD_PRELOAD), or null without it.

import Foundation
import Logging
import SeccamEngine
import SeccamMotion

// MARK: - Measurement

/// The preloaded malloc counter, if any.
enum AllocationCounter {
    private typealias Counter = @convention(c) () -> UInt64
    private static let calls = lookup("seccam_malloc_count")
    private static let bytes = lookup("seccam_malloc_bytes")

    /// dlsym(RTLD_DEFAULT, name): glibc's RTLD_DEFAULT is the null handle.
    private static func lookup(_ name: String) -> Counter? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: Counter.self) }
    }

    static var available: Bool { calls != nil }
    static func read() -> (calls: UInt64, bytes: UInt64) { (calls?() ?? 0, bytes?() ?? 0) }
}

func now(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// One timed run: wall and CPU seconds, items processed (frames or packets), heap allocations.
struct Run {
    var wall: Double
    var cpu: Double
    var items: Int
    var allocations: UInt64
    var allocatedBytes: UInt64
}

/// Times `body`, which returns how many items it processed.
func timed(_ body: () throws -> Int) rethrows -> Run {
    let a0 = AllocationCounter.read()
    let c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC)
    let items = try body()
    let w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID)
    let a1 = AllocationCounter.read()
    return Run(wall: w1 - w0, cpu: c1 - c0, items: items, allocations: a1.calls &- a0.calls,
               allocatedBytes: a1.bytes &- a0.bytes)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func stats(_ values: [Double]) -> [String: Any] {
    ["median": median(values), "min": values.min() ?? .nan, "max": values.max() ?? .nan]
}

/// Peak resident set of this process so far (VmHWM), MiB.
func peakRSSMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}

/// Prints one JSON line describing a benchmark case from its timed runs.
func report(_ name: String, _ fields: [String: Any], runs: [Run], unit: String = "frame") {
    var out = fields
    out["case"] = name
    out["runs"] = runs.count
    out["unit"] = unit
    out["items_per_run"] = runs.first?.items ?? 0
    out["wall_s"] = stats(runs.map(\.wall))
    out["cpu_s"] = stats(runs.map(\.cpu))
    let perItemWall = runs.map { 1000 * $0.wall / Double(max($0.items, 1)) }
    let perItemCPU = runs.map { 1000 * $0.cpu / Double(max($0.items, 1)) }
    out["wall_ms_per_\(unit)"] = stats(perItemWall)
    out["cpu_ms_per_\(unit)"] = stats(perItemCPU)
    out["\(unit)s_per_s"] = Double(runs.first?.items ?? 0) / median(runs.map(\.wall))
    if AllocationCounter.available {
        let perItem = runs.map { Double($0.allocations) / Double(max($0.items, 1)) }
        out["allocs_per_\(unit)"] = stats(perItem)
        out["alloc_bytes_per_\(unit)"] = median(runs.map { Double($0.allocatedBytes) / Double(max($0.items, 1)) })
        out["allocs_total"] = runs.reduce(0) { $0 + $1.allocations }
    } else {
        out["allocs_per_\(unit)"] = NSNull()
    }
    out["peak_rss_mib"] = peakRSSMiB()
    emit(out)
}

func emit(_ object: [String: Any]) {
    // NaN is not JSON; none is expected, but never print an invalid line.
    func clean(_ v: Any) -> Any {
        if let d = v as? Double { return d.isFinite ? d : NSNull() }
        if let m = v as? [String: Any] { return m.mapValues(clean) }
        return v
    }
    let data = try! JSONSerialization.data(withJSONObject: clean(object), options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

// MARK: - Cases

/// Reads every packet of `path` (no decoding); items = packets.
func demuxPass(_ path: String) throws -> Int {
    let demuxer = try Demuxer(source: SourceURL(path))
    var packet = try Packet()
    var packets = 0
    while try demuxer.read(into: &packet) == .packet {
        packets += 1
        packet.reset()
    }
    return packets
}

/// Decodes every frame of `path` (threads as `scan` uses them: automatic); with `gray`, also computes the
/// dvr-scan gray value of every pixel (`scan` at defaults, no downscale). Items = frames.
func decodePass(_ path: String, gray: Bool) throws -> Int {
    let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(path)))
    var frame = try Frame()
    let converter = GrayConverter()
    let video = reader.videoStream
    let sampling = GraySampling.full(width: video.width, height: video.height)
    var output = [UInt8](repeating: 0, count: video.width * video.height)
    var frames = 0
    var checksum = 0
    while try reader.nextFrame(into: &frame) {
        if gray {
            try converter.convert(frame, sampling: sampling, into: &output)
            checksum &+= Int(output[frames % output.count])
        }
        frames += 1
    }
    if checksum == -1 { print("") }  // keeps the conversion observable
    return frames
}

/// Decodes `count` frames of `path` into gray images subsampled by `step` (as `-df step` samples them),
/// looping over the file if it is shorter. Returns the frames back to back and their size.
func grayFrames(_ path: String, step: Int, count: Int) throws -> (pixels: [UInt8], width: Int, height: Int) {
    var all: [UInt8] = []
    var width = 0, height = 0
    var loaded = 0
    while loaded < count {
        let reader = try VideoFrameReader(demuxer: try Demuxer(source: SourceURL(path)))
        let video = reader.videoStream
        width = video.width / step
        height = video.height / step
        let sampling = GraySampling(cropX: 0, cropY: 0, step: step, width: width, height: height)
        if all.isEmpty { all.reserveCapacity(width * height * count) }
        var frame = try Frame()
        let converter = GrayConverter()
        var gray = [UInt8](repeating: 0, count: width * height)
        var any = false
        while loaded < count, try reader.nextFrame(into: &frame) {
            try converter.convert(frame, sampling: sampling, into: &gray)
            all.append(contentsOf: gray)
            loaded += 1
            any = true
        }
        guard any else { throw BenchError("\(path) has no decodable frames") }
    }
    return (all, width, height)
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

// MARK: - Arguments

struct Arguments {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ args: ArraySlice<String>) {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            if a == "--gray" || a == "--avx2" {
                flags.insert(a)
            } else if a.hasPrefix("-"), i + 1 < args.endIndex {
                values[a] = args[i + 1]
                i += 1
            } else {
                positional.append(a)
            }
            i += 1
        }
    }

    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap { Int($0) } ?? fallback }
    func double(_ key: String, _ fallback: Double) -> Double { values[key].flatMap { Double($0) } ?? fallback }
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
    usage: seccam-bench demux FILE [--runs N]
           seccam-bench decode FILE [--gray] [--runs N]
           seccam-bench detector FILE --subtractor mog2|cnt [--step S] [--warmup N] [--frames N] [--runs N] [--avx2]
           seccam-bench preroll FILE [--tb SECONDS] [-l SECONDS]

    """.utf8))
    exit(2)
}

func main() throws {
    let argv = CommandLine.arguments
    guard argv.count >= 3 else { usage() }
    let command = argv[1]
    let args = Arguments(argv[2...])
    guard let file = args.positional.first else { usage() }
    let runs = max(1, args.int("--runs", 5))
    let base: [String: Any] = ["file": (file as NSString).lastPathComponent,
                               "allocation_counter": AllocationCounter.available]

    switch command {
    case "demux":
        _ = try demuxPass(file)
        let results = try (0..<runs).map { _ in try timed { try demuxPass(file) } }
        report("demux", base, runs: results, unit: "packet")

    case "decode":
        let gray = args.flags.contains("--gray")
        _ = try decodePass(file, gray: gray)
        let results = try (0..<runs).map { _ in try timed { try decodePass(file, gray: gray) } }
        report(gray ? "decode+gray" : "decode", base, runs: results)

    case "detector":
        guard let kind = args.values["--subtractor"].flatMap({ SubtractorKind(rawValue: $0.uppercased()) }) else { usage() }
        let step = max(1, args.int("--step", 1))
        let warmup = args.int("--warmup", 30)
        let perRun = max(1, args.int("--frames", 60))
        let (pixels, width, height) = try grayFrames(file, step: step, count: warmup + runs * perRun)
        var options = DetectorOptions()
        options.subtractor = kind
        // --avx2: MOG2's AVX2 kernel even on an AVX-512 machine (what CPUs without AVX-512 run).
        let implementation: SubtractorImplementation = args.flags.contains("--avx2") ? .avx2 : .vectorized
        let detector = try MotionDetector(options: options, videoWidth: width, videoHeight: height,
                                          implementation: implementation)
        let frameSize = width * height
        var sink = 0.0
        func process(_ range: Range<Int>) -> Int {
            pixels.withUnsafeBufferPointer { all in
                for i in range {
                    let frame = UnsafeBufferPointer(rebasing: all[(i * frameSize)..<((i + 1) * frameSize)])
                    sink += detector.process(frame).score
                }
            }
            return range.count
        }
        _ = process(0..<warmup)  // the background model learns; buffers reach their steady size
        let results = (0..<runs).map { r in timed { process((warmup + r * perRun)..<(warmup + (r + 1) * perRun)) } }
        var fields = base
        // Without AVX2, `.avx2` runs the portable Swift SIMD code: say so rather than name a kernel that did not run.
        let kernelName = MOG2Subtractor.usesAVX2 ? " (AVX2 kernel)" : " (Swift SIMD, no AVX2)"
        fields["subtractor"] = kind.rawValue + (implementation == .avx2 ? kernelName : "")
        fields["size"] = "\(width)x\(height)"
        fields["kernel_size"] = detector.kernelSize
        fields["warmup_frames"] = warmup
        fields["score_sum"] = sink
        report("detector", fields, runs: results)

    case "preroll":
        // The clip recorder `scan -m copy` builds (ClipOutput's retention rule: -tb plus the minimum event
        // length plus one frame-skip group, + 1 s), fed every packet of the file with no clip open: the
        // steady-state pre-roll held by reference. ScanSession keeps its ClipOutput internal, so the buffer
        // is driven here directly through the public ClipRecorder.
        let tb = args.double("--tb", 10)
        let minLength = args.double("-l", 0.1)
        let demuxer = try Demuxer(source: SourceURL(file))
        guard let videoIndex = demuxer.videoStreamIndex else { throw BenchError("\(file) has no video") }
        let video = demuxer.stream(videoIndex)
        let fps = video.framesPerSecond
        let tracker = EventTracker(threshold: 0.15, minEventLength: TimeSpec.seconds(minLength).frames(fps: fps),
                                   timeBeforeEvent: TimeSpec.seconds(tb).frames(fps: fps), timePostEvent: 0,
                                   frameSkip: 0, startFrame: 0)
        let window = TimeSpec.seconds(tb).frames(fps: fps) + (tracker.minimumFrames + 1)
        let retention = Double(window) / fps + 1
        let directory = NSTemporaryDirectory() + "seccam-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try ClipRecorder(demuxer: demuxer, settings: ClipSettings(directory: directory),
                                        retentionSeconds: retention,
                                        logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        var packet = try Packet()
        var packets = 0, videoPackets = 0, keyframes = 0, totalBytes = 0
        var maxGap = 0, sinceKey = 0
        let run = try timed {
            while try demuxer.read(into: &packet) == .packet {
                try recorder.add(packet)
                packets += 1
                totalBytes += packet.size
                if packet.streamIndex == videoIndex {
                    videoPackets += 1
                    sinceKey += 1
                    if packet.isKeyframe {
                        keyframes += 1
                        maxGap = max(maxGap, sinceKey)
                        sinceKey = 0
                    }
                }
                packet.reset()
            }
            return packets
        }
        let seconds = Double(videoPackets) / fps
        var fields = base
        fields["size"] = "\(video.width)x\(video.height)"
        fields["tb_s"] = tb
        fields["retention_s"] = retention
        fields["peak_bytes"] = recorder.buffer.peakBytes
        fields["max_bytes_limit"] = recorder.buffer.maxBytes
        fields["input_bytes"] = totalBytes
        fields["input_seconds"] = seconds
        fields["mean_bitrate_bps"] = seconds > 0 ? Double(totalBytes) * 8 / seconds : 0
        fields["keyframe_interval_frames_max"] = maxGap
        fields["keyframes"] = keyframes
        report("preroll", fields, runs: [run], unit: "packet")

    default:
        usage()
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("seccam-bench: \(error)\n".utf8))
    exit(1)
}
