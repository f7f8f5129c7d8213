import FlyingFox
import Foundation
import SeccamEngine
import Synchronization

/// Serves `GET /metrics` (Prometheus text) and `GET /healthz` (JSON: 200 while every camera thread makes
/// progress, 503 otherwise, with each camera's state) on a loopback address.
public final class MetricsServer: Sendable {
    private let server: HTTPServer
    private let task: Task<Void, any Error>

    /// Starts listening on `host:port` and returns once it listens.
    /// - Throws: ``MetricsServerError`` when the address cannot be used (bad address, port in use).
    public init(host: String, port: Int, metrics: ServiceMetrics, service: CameraService, staleAfter: Double = 90) throws {
        let address: sockaddr_in
        do { address = try .inet(ip4: host, port: UInt16(port)) } catch {
            throw MetricsServerError(description: "metrics.listen \(host):\(port): not an IPv4 address (\(error))")
        }
        let server = HTTPServer(address: address, logger: .disabled)
        self.server = server
        let task = Task {
            await server.appendRoute("GET /metrics") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                             body: Data(metrics.render().utf8))
            }
            await server.appendRoute("GET /healthz") { _ in
                let health = Health(service: service, staleAfter: staleAfter)
                return HTTPResponse(statusCode: health.healthy ? .ok : .serviceUnavailable,
                                    headers: [.contentType: "application/json"], body: health.json)
            }
            try await server.run()
        }
        self.task = task
        let outcome = StartOutcome()
        let started = DispatchSemaphore(value: 0)
        Task {
            do { try await server.waitUntilListening(timeout: 5) } catch {
                task.cancel()
                if case .failure(let failure) = await task.result { outcome.failure.withLock { $0 = "\(failure)" } }
                outcome.failure.withLock { $0 = $0 ?? "\(error)" }
            }
            started.signal()
        }
        started.wait()
        if let failure = outcome.failure.withLock({ $0 }) {
            throw MetricsServerError(description: "metrics.listen \(host):\(port): cannot listen (\(failure))")
        }
    }

    /// Stops listening.
    public func stop() {
        task.cancel()
    }
}

/// A problem starting the metrics endpoint.
public struct MetricsServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Carries a startup failure out of the server's task.
private final class StartOutcome: Sendable {
    let failure = Mutex<String?>(nil)
}

/// The `/healthz` body: healthy while every camera thread made progress within `staleAfter` seconds.
private struct Health: Encodable {
    struct Camera: Encodable {
        var name: String
        var state: String
        var framesPerSecond: Double
        var secondsSinceHeartbeat: Double
        var lastError: String?
    }

    var healthy: Bool
    var cameras: [Camera]

    init(service: CameraService, staleAfter: Double) {
        cameras = service.cameras.map { supervisor in
            let status = supervisor.snapshot
            return Camera(name: status.name, state: status.state.rawValue, framesPerSecond: status.framesPerSecond,
                          secondsSinceHeartbeat: (supervisor.secondsSinceHeartbeat * 10).rounded() / 10,
                          lastError: status.lastError)
        }
        healthy = cameras.allSatisfy { $0.secondsSinceHeartbeat <= staleAfter }
    }

    var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
