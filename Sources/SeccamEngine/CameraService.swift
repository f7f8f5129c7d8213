import Foundation
import Logging

/// `seccam-engine run`: several cameras, each kept recording by its own ``CameraSupervisor`` thread.
public final class CameraService: Sendable {
    public let cameras: [CameraSupervisor]

    public init(cameras: [CameraSpec], outputDirectory: String, container: ClipContainer = .mp4, logger: Logger) {
        self.cameras = cameras.map {
            CameraSupervisor(spec: $0, outputDirectory: outputDirectory, container: container, logger: logger)
        }
    }

    /// Starts every camera.
    public func start() {
        for camera in cameras { camera.start() }
    }

    /// Stops every camera (open clips are finished and made final) and waits up to `timeout` seconds in all.
    /// - Returns: false if some camera did not stop in time.
    public func stop(timeout: Double = 10) -> Bool {
        for camera in cameras { camera.stop() }
        let deadline = Date().addingTimeInterval(timeout)
        return cameras.allSatisfy { $0.waitUntilStopped(timeout: max(0, deadline.timeIntervalSinceNow)) }
    }
}
