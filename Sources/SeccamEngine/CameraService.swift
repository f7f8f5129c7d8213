import Foundation
import Logging
import Synchronization

/// `seccam-engine run`: several cameras, each kept recording by its own ``CameraSupervisor`` thread.
/// ``reload(_:)`` applies a new camera list, restarting only the cameras whose settings changed.
public final class CameraService: Sendable {
    private let supervisors: Mutex<[CameraSupervisor]>
    private let logger: Logger
    private let notices: (@Sendable (CameraNotice) -> Void)?

    /// - Parameter notices: told (on camera threads) about every camera's events, clips, and outages.
    public init(cameras: [CameraSpec], logger: Logger, notices: (@Sendable (CameraNotice) -> Void)? = nil) {
        self.logger = logger
        self.notices = notices
        supervisors = Mutex(cameras.map { CameraSupervisor(spec: $0, logger: logger, notices: notices) })
    }

    /// The cameras currently supervised, in config order.
    public var cameras: [CameraSupervisor] { supervisors.withLock { $0 } }

    /// Starts every camera.
    public func start() {
        for camera in cameras { camera.start() }
    }

    /// Applies a new camera list: cameras that are gone or changed are stopped (open clips finished), new or
    /// changed ones started, unchanged ones keep running untouched.
    /// - Returns: the names of the cameras that were stopped, started and restarted.
    @discardableResult
    public func reload(_ specs: [CameraSpec], stopTimeout: Double = 10) -> (stopped: [String], started: [String], restarted: [String]) {
        let old = cameras
        let oldByName = Dictionary(uniqueKeysWithValues: old.map { ($0.spec.name, $0) })
        let newNames = Set(specs.map(\.name))
        var keep: [String: CameraSupervisor] = [:]
        var retire: [CameraSupervisor] = []
        for camera in old {
            if newNames.contains(camera.spec.name),
               let spec = specs.first(where: { $0.name == camera.spec.name }), spec.fingerprint == camera.spec.fingerprint,
               spec.fingerprint != ""
            {
                keep[camera.spec.name] = camera
            } else {
                retire.append(camera)
            }
        }
        for camera in retire { camera.stop() }
        for camera in retire where !camera.waitUntilStopped(timeout: stopTimeout) {
            logger.error("camera did not stop in time during reload", metadata: ["camera.id": "\(camera.spec.name)"])
        }
        let next = specs.map { keep[$0.name] ?? CameraSupervisor(spec: $0, logger: logger, notices: notices) }
        supervisors.withLock { $0 = next }
        for camera in next where keep[camera.spec.name] == nil { camera.start() }
        let started = specs.map(\.name).filter { keep[$0] == nil && oldByName[$0] == nil }
        let restarted = specs.map(\.name).filter { keep[$0] == nil && oldByName[$0] != nil }
        let stopped = old.map(\.spec.name).filter { !newNames.contains($0) }
        return (stopped, started, restarted)
    }

    /// Stops every camera (open clips are finished and made final) and waits up to `timeout` seconds in all.
    /// - Returns: false if some camera did not stop in time.
    public func stop(timeout: Double = 10) -> Bool {
        let all = cameras
        for camera in all { camera.stop() }
        let deadline = Date().addingTimeInterval(timeout)
        return all.allSatisfy { $0.waitUntilStopped(timeout: max(0, deadline.timeIntervalSinceNow)) }
    }
}
