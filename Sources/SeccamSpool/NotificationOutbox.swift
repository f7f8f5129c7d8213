import Foundation
import Synchronization

/// Notifications not yet delivered, one JSON file each in a folder (`<spool>/notifications/` under `run`), so that
/// a restart, a crash or a power cut loses none of them. A file is written (temporary name, fsync, rename, folder
/// fsync) before the notification is queued, and removed once the receiver took it or refused it for good.
/// Names are `<UTC yyyyMMdd'T'HHmmss.SSS'Z'>-<sequence>.json`, so sorting them gives the order they were made in.
final class NotificationOutbox: Sendable {
    let folder: String
    private let sequence = Atomic<Int>(0)

    /// Opens the folder, creating it (and its parents) if needed.
    /// - Throws: `.io` when it cannot be created.
    init(folder: String) throws(SpoolError) {
        self.folder = folder
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw SpoolError(.io, operation: "creating the notification folder \(folder)", reason: error.localizedDescription)
        }
    }

    /// Writes `event` durably; returns its file name.
    func add(_ event: WebhookEvent) throws(SpoolError) -> String {
        let number = sequence.wrappingAdd(1, ordering: .relaxed).oldValue
        let name = "\(SpoolTime.compact(Date()))-\(String(format: "%06d", number % 1_000_000)).json"
        let path = (folder as NSString).appendingPathComponent(name)
        let temporary = (folder as NSString).appendingPathComponent(".\(name)\(SpoolDirectory.temporarySuffix)")
        try SpoolDirectory.writeFile(event.json(), to: temporary)
        guard rename(temporary, path) == 0 else { throw .io("saving notification \(path)", call: "rename") }
        try SpoolDirectory.syncDirectory(folder)
        return name
    }

    /// The notifications on disk, oldest first; files that do not decode are skipped and returned in `unreadable`.
    func pending() -> (events: [(name: String, event: WebhookEvent)], unreadable: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
        var events: [(name: String, event: WebhookEvent)] = []
        var unreadable: [String] = []
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: path),
               let event = try? SpoolManifest.decoder.decode(WebhookEvent.self, from: data) {
                events.append((name, event))
            } else {
                unreadable.append(name)
            }
        }
        return (events, unreadable)
    }

    /// Forgets a notification (delivered, or refused for good).
    func remove(_ name: String) {
        unlink((folder as NSString).appendingPathComponent(name))
    }
}
