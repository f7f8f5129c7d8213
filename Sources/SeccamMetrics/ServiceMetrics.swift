import Foundation
import Prometheus
import SeccamEngine
import Synchronization

/// The Prometheus metrics of a running service, read from each camera's ``CameraStatus`` at scrape time:
/// per camera frames decoded, fps, decode errors, reconnects, events, last event time, current score and
/// state; for the process, the spool's depth and the output disk's free space.
public final class ServiceMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let service: CameraService
    private let outputDirectory: String
    private let spoolDepth: @Sendable () -> Int?
    /// Counter values already reported per camera and metric (counters only go up; a restarted camera starts at 0).
    private let reported = Mutex<[String: Int]>([:])

    /// - Parameters:
    ///   - outputDirectory: where clips go (its file system's free space is reported).
    ///   - spoolDepth: entries waiting for upload, or nil without a spool.
    public init(service: CameraService, outputDirectory: String, spoolDepth: @escaping @Sendable () -> Int? = { nil }) {
        self.service = service
        self.outputDirectory = outputDirectory
        self.spoolDepth = spoolDepth
    }

    /// The metrics in Prometheus' text format, refreshed now.
    public func render() -> String {
        for status in service.cameras.map(\.snapshot) { update(status) }
        if let depth = spoolDepth() {
            registry.makeGauge(descriptor: Self.descriptor("seccam_spool_pending_entries", "Clips waiting in the spool for upload"))
                .set(Double(depth))
        }
        if let free = DiskSpace(path: outputDirectory) {
            let labels = [("path", outputDirectory)]
            registry.makeGauge(descriptor: Self.descriptor("seccam_disk_free_bytes", "Free bytes on the clip file system"), labels: labels)
                .set(Double(free.freeBytes))
            registry.makeGauge(descriptor: Self.descriptor("seccam_disk_size_bytes", "Size of the clip file system"), labels: labels)
                .set(Double(free.totalBytes))
        }
        return registry.emitToString()
    }

    /// A metric's name and help as swift-prometheus takes them (it joins name parts; the whole name is one part).
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func update(_ status: CameraStatus) {
        let labels = [("camera", status.name)]
        func counter(_ name: String, _ help: String, _ value: Int) {
            let key = "\(name)/\(status.name)"
            let delta = reported.withLock { seen -> Int in
                let previous = seen[key] ?? 0
                seen[key] = value
                return value >= previous ? value - previous : value
            }
            registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels).increment(by: Int64(delta))
        }
        func gauge(_ name: String, _ help: String, _ value: Double) {
            registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels).set(value)
        }
        counter("seccam_camera_frames_decoded_total", "Frames decoded", status.framesDecoded)
        counter("seccam_camera_decode_errors_total", "Decoder errors (damaged packets)", status.decodeErrors)
        counter("seccam_camera_reconnects_total", "Reconnects after an error, end or stall", status.reconnects)
        counter("seccam_camera_events_total", "Motion events that ended", status.events)
        gauge("seccam_camera_fps", "Decoded frames per second", status.framesPerSecond)
        gauge("seccam_camera_score", "Motion score of the latest processed frame", status.currentScore)
        gauge("seccam_camera_up", "1 while the camera streams", status.state == .streaming ? 1 : 0)
        gauge("seccam_camera_last_event_timestamp_seconds", "UTC start of the latest event (Unix seconds)",
              status.lastEventStart?.timeIntervalSince1970 ?? 0)
        for state in CameraSupervisor.State.allCases {
            registry.makeGauge(descriptor: Self.descriptor("seccam_camera_state", "1 for the camera's current state"),
                               labels: labels + [("state", state.rawValue)]).set(Double(status.state == state ? 1 : 0))
        }
    }
}

/// Free and total bytes of the file system holding a path (`statvfs`).
public struct DiskSpace: Sendable {
    public var freeBytes: Int64
    public var totalBytes: Int64

    public init?(path: String) {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        freeBytes = Int64(info.f_bavail) * Int64(info.f_frsize)
        totalBytes = Int64(info.f_blocks) * Int64(info.f_frsize)
    }

    /// Free space as a percentage of the file system.
    public var freePercent: Double { totalBytes > 0 ? Double(freeBytes) * 100 / Double(totalBytes) : 0 }
}
