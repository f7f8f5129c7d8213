import ArgumentParser
import Foundation
import SeccamSpool

struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "Inspect and manage an upload spool: list entries, retry failed ones, purge delivered ones.",
        subcommands: [List.self, Retry.self, Purge.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List spool entries, oldest first, with their state and last error.")

        @Option(name: .long, help: "The spool folder.")
        var spool: String

        @Option(name: .long, help: "Only this state: pending, inflight, done or failed.")
        var state: String?

        @Flag(name: .long, help: "Print the manifests as JSON.")
        var json = false

        func run() throws {
            let directory = try SpoolDirectory(root: spool)
            var states = SpoolState.allCases
            if let state {
                guard let chosen = SpoolState(rawValue: state) else {
                    throw ValidationError("--state is one of \(SpoolState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                states = [chosen]
            }
            let entries = states.flatMap { directory.entries(in: $0) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                let rows = entries.map { ListedEntry(state: $0.state.rawValue, manifest: $0.manifest) }
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
                return
            }
            let formatter = ISO8601DateFormatter()
            for state in states {
                let inState = entries.filter { $0.state == state }
                print("\(state.rawValue): \(inState.count)")
                for entry in inState {
                    let m = entry.manifest
                    var line = "  \(m.id)  \(m.camera ?? "-")  \(m.fileName)  \(m.size) B  attempts \(m.attempts)"
                    if let next = m.nextAttemptAt, state == .pending { line += "  next \(formatter.string(from: next))" }
                    if let url = m.remoteURL, state == .done { line += "  \(url) (\(m.confirmation ?? ""))" }
                    if let parts = m.multipart?.parts.count { line += "  multipart \(parts) part(s) done" }
                    print(line)
                    if let error = m.lastError, state != .done { print("    last error: \(error)") }
                }
            }
        }

        struct ListedEntry: Encodable {
            var state: String
            var manifest: SpoolManifest
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move failed entries (all, or the given ids) back to pending, due now.")

        @Option(name: .long, help: "The spool folder.")
        var spool: String

        @Argument(help: "Entry ids (default: every failed entry).")
        var ids: [String] = []

        func run() throws {
            let moved = try SpoolDirectory(root: spool).retry(ids: ids.isEmpty ? nil : ids)
            if !ids.isEmpty, moved.count < ids.count {
                let missing = Set(ids).subtracting(moved.map(\.id)).sorted()
                throw CommandFailure("not in \(spool)/failed: \(missing.joined(separator: ", "))")
            }
            print("requeued \(moved.count) entr\(moved.count == 1 ? "y" : "ies")")
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete delivered entries (or failed ones with --state failed).")

        @Option(name: .long, help: "The spool folder.")
        var spool: String

        @Option(name: .long, help: "done (default) or failed. Pending and inflight entries are never purged.")
        var state = "done"

        @Option(name: .long, help: "Only entries enqueued more than this many days ago.")
        var olderThanDays: Double?

        func run() throws {
            guard let chosen = SpoolState(rawValue: state), chosen == .done || chosen == .failed else {
                throw ValidationError("--state is done or failed; pending and inflight entries are never purged")
            }
            let cutoff = olderThanDays.map { Date().addingTimeInterval(-$0 * 86_400) }
            let removed = try SpoolDirectory(root: spool).purge(chosen, olderThan: cutoff)
            print("purged \(removed.count) \(chosen.rawValue) entr\(removed.count == 1 ? "y" : "ies")")
        }
    }
}
