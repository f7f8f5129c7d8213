import ArgumentParser
import SeccamEngine

/// `seccam-engine config check FILE` and `seccam-engine config example`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a service config file, or print a complete commented example.",
        subcommands: [Check.self, Example.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a YAML service config: every problem is listed with its key path; exit 1 if any.")

        @Argument(help: "The config file (YAML).")
        var file: String

        func run() throws {
            let configuration: ServiceConfiguration
            do { configuration = try ServiceConfiguration.load(path: file) } catch {
                throw CommandFailure(error.description)
            }
            print("\(file): OK")
            for camera in configuration.cameras {
                let detect = camera.detectSource.map { ", detect on \($0.redacted)" } ?? ""
                print("  camera \(camera.name)\(camera.enabled ? "" : " (disabled)"): \(camera.source.redacted)\(detect)")
            }
            print("  clips to \(configuration.output)" + (configuration.spool.map { ", spool \($0)" } ?? ""))
        }
    }

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a complete, commented example config.")

        func run() {
            print(ExampleConfiguration.yaml)
        }
    }
}
