import Foundation
import SeccamTestSupport
import XCTest

/// The systemd units in packaging/systemd: valid for systemd, and set up as the service needs
/// (notify + watchdog, restart, hardening with write access only to /var/lib/seccam).
final class SystemdUnitTests: XCTestCase {
    private func unit(_ name: String) throws -> String {
        try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("packaging/systemd/\(name)"), encoding: .utf8)
    }

    func testUnitsPassSystemdAnalyzeVerify() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw XCTSkip("systemd-analyze is not installed")
        }
        let directory = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["seccam-engine.service", "seccam-upload.service"] {
            // Point ExecStart at the built binary so verify can check it exists and is executable.
            let text = try unit(name).replacingOccurrences(of: "/usr/local/bin/seccam-engine", with: TestPaths.executable.path)
            let path = directory.appendingPathComponent(name)
            try text.write(to: path, atomically: true, encoding: .utf8)
            let result = try ProcessRunner.run(["systemd-analyze", "verify", path.path])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains(name), "\(name): \(result.stderr)")
        }
    }

    func testRecorderUnitUsesNotifyWatchdogRestartAndHardening() throws {
        let text = try unit("seccam-engine.service")
        for line in ["Type=notify", "Restart=always", "ProtectSystem=strict", "ReadWritePaths=/var/lib/seccam",
                     "User=seccam", "ExecReload=/bin/kill -HUP $MAINPID"] {
            XCTAssertTrue(text.contains("\n\(line)\n"), "missing \(line)")
        }
        let watchdog = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("WatchdogSec=") })
        XCTAssertGreaterThan(Int(watchdog.dropFirst("WatchdogSec=".count)) ?? 0, 0)
    }
}
