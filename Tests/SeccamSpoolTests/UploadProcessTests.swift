import Foundation
import Logging
import SeccamSpool
import SeccamTestSupport
import XCTest

/// `seccam-engine upload` as a process against a real S3 server (SeaweedFS): outages, restarts, SIGKILL.
final class UploadProcessTests: XCTestCase {
    var server: SeaweedServer!
    var temp: URL!
    var spool: SpoolDirectory!
    let bucket = "seccam-proc"
    let prefix = "p-\(UInt32.random(in: 0...UInt32.max))"
    var uploaders: [Process] = []

    override func setUpWithError() throws {
        server = try SeaweedServer()
        try server.start()
        temp = try TestPaths.makeTemporaryDirectory()
        spool = try SpoolDirectory(root: temp.appendingPathComponent("spool").path)
        try client().createBucket()
    }

    override func tearDownWithError() throws {
        for process in uploaders { ProcessRunner.stop(process, grace: 2) }
        server?.stop()
        server = nil
        try? FileManager.default.removeItem(at: temp)
    }

    func configuration() throws -> S3Configuration {
        try S3Configuration.parse(target: "s3://\(bucket)/\(prefix)", endpoint: server.endpoint, region: "us-east-1", pathStyle: true)
    }

    func client() throws -> S3Client {
        try S3Client(configuration: configuration(), credentials: S3Credentials(accessKeyId: SeaweedServer.accessKey, secretAccessKey: SeaweedServer.secretKey))
    }

    func makeClip(_ name: String, size: Int) throws -> String {
        let path = temp.appendingPathComponent(name).path
        var bytes = [UInt8](repeating: 0, count: size)
        var state = UInt64(truncatingIfNeeded: name.hashValue)
        for i in 0..<size {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func sha256(_ path: String) throws -> String { String(try ProcessRunner.run(["sha256sum", path]).stdout.prefix(64)) }

    /// Starts `seccam-engine upload` with the test credentials in its environment; output goes to a log file.
    func startUploader(_ extra: [String], log name: String) throws -> (Process, URL) {
        let log = temp.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        // setpriv --pdeathsig: the uploader dies with the test process (it would otherwise run on after a crash).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--pdeathsig", "KILL", "--", TestPaths.executable.path,
                             "upload", "--spool", spool.root, "--target", "s3://\(bucket)/\(prefix)", "--endpoint", server.endpoint,
                             "--path-style", "--retry-base", "0.2", "--retry-max", "1", "--poll-interval", "0.2", "--stall-timeout", "3",
                             "--log-level", "info"] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = SeaweedServer.accessKey
        environment["AWS_SECRET_ACCESS_KEY"] = SeaweedServer.secretKey
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        uploaders.append(process)
        return (process, log)
    }

    func waitUntil(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    func assertAllDelivered(_ expected: [String: String], file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try client()
        let keys = try client.listKeys(prefix: prefix + "/")
        XCTAssertEqual(keys.count, expected.count, "exactly one object per clip: \(keys)", file: file, line: line)
        for key in keys {
            let download = temp.appendingPathComponent("download").path
            try client.getObject(key: key, to: download)
            let name = (key as NSString).lastPathComponent
            XCTAssertEqual(try sha256(download), expected[name], key, file: file, line: line)
        }
        XCTAssertEqual(spool.entries(in: .inflight).count, 0, "nothing left in inflight/", file: file, line: line)
        XCTAssertEqual(spool.entries(in: .pending).count, 0, file: file, line: line)
        XCTAssertEqual(spool.entries(in: .done).count, expected.count, file: file, line: line)
    }

    /// S3 down, 30 clips spooled in three batches while the uploader is killed (SIGKILL) and stopped (SIGTERM)
    /// and restarted; S3 back: all 30 arrive exactly once, byte-identical, within the backoff bound.
    func testOutageWithUploaderRestartsDeliversEverythingExactlyOnce() throws {
        server.stop()
        var expected: [String: String] = [:]
        func spoolBatch(_ batch: Int) throws {
            for i in 1...10 {
                let clip = try makeClip("out-\(batch)-\(i).mp4", size: 30_000 + 7_919 * (batch * 10 + i))
                expected[(clip as NSString).lastPathComponent] = try sha256(clip)
                try spool.enqueue(clip: clip, camera: "yard")
            }
        }
        try spoolBatch(1)
        let (first, firstLog) = try startUploader([], log: "uploader-1.log")
        try spoolBatch(2)
        XCTAssertTrue(waitUntil(timeout: 10) { spool.entries(in: .pending).contains { $0.manifest.attempts >= 2 } }, "retries while S3 is down")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let (second, _) = try startUploader(["--concurrency", "3"], log: "uploader-2.log")
        try spoolBatch(3)
        XCTAssertTrue(waitUntil(timeout: 10) { spool.entries(in: .pending).filter { $0.manifest.attempts >= 1 }.count >= 25 })
        second.terminate()
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0, "SIGTERM is a clean stop")
        XCTAssertEqual(spool.entries(in: .inflight).count, 0, "a clean stop leaves nothing inflight")
        let (third, thirdLog) = try startUploader(["--concurrency", "3"], log: "uploader-3.log")
        XCTAssertEqual(spool.entries(in: .done).count, 0)
        XCTAssertEqual(spool.entries(in: .failed).count, 0, "an outage is never a permanent failure")
        let log1 = try String(contentsOf: firstLog, encoding: .utf8)
        XCTAssertTrue(log1.contains("upload failed; will retry"), log1)
        XCTAssertTrue(log1.contains("Couldn't connect to server") || log1.contains("Connection refused"), log1)

        try server.start()
        // SeaweedFS answers HTTP a moment before it accepts writes (volumes are still being allocated): the bound is
        // counted from the first write it accepts.
        let probe = try makeClip("probe.bin", size: 10)
        let probeClient = try S3Client(configuration: S3Configuration.parse(target: "s3://\(bucket)/probe", endpoint: server.endpoint,
                                                                            region: "us-east-1", pathStyle: true),
                                       credentials: S3Credentials(accessKeyId: SeaweedServer.accessKey, secretAccessKey: SeaweedServer.secretKey))
        let writable = waitUntil(timeout: 30) { (try? probeClient.putProbe(file: probe)) == true }
        XCTAssertTrue(writable, "SeaweedFS accepts writes again")
        let back = Date()
        // Backoff bound: the longest delay is 1 s (with jitter), so every entry is tried within ~1 s of S3 accepting
        // writes; 10 s leaves room for the 30 uploads on a loaded machine.
        let arrived = waitUntil(timeout: 30) { spool.entries(in: .done).count == 30 }
        XCTAssertTrue(arrived, (try? String(contentsOf: thirdLog, encoding: .utf8)) ?? "")
        let seconds = Date().timeIntervalSince(back)
        print("outage: 30 clips delivered \(String(format: "%.1f", seconds)) s after S3 came back")
        XCTAssertLessThan(seconds, 10)
        third.terminate()
        third.waitUntilExit()
        try assertAllDelivered(expected)
    }

    /// SIGKILL mid-multipart; the restarted uploader resumes from the recorded parts and the object is identical.
    func testKilledMidMultipartResumesFromRecordedParts() throws {
        let clip = try makeClip("crash.mp4", size: 40 << 20)
        let expected = try sha256(clip)
        let entry = try spool.enqueue(clip: clip, camera: "gate")
        let options = ["--multipart-threshold-mib", "8", "--part-size-mib", "5", "--concurrency", "1"]
        let (slow, _) = try startUploader(options + ["--max-bytes-per-second", "\(8 << 20)"], log: "uploader-slow.log")
        let inflight = (spool.folder(.inflight) as NSString).appendingPathComponent(entry.id)
        var recorded: SpoolManifest.MultipartState?
        XCTAssertTrue(waitUntil(timeout: 20) {
            recorded = spool.entry(id: entry.id)?.manifest.multipart
            return (recorded?.parts.count ?? 0) >= 3
        })
        kill(slow.processIdentifier, SIGKILL)
        slow.waitUntilExit()
        recorded = spool.entry(id: entry.id)?.manifest.multipart
        let partsDone = try XCTUnwrap(recorded).parts.count
        XCTAssertTrue(FileManager.default.fileExists(atPath: inflight), "killed while inflight")
        XCTAssertLessThan(partsDone, 8, "killed before the last part")

        let (resumed, log) = try startUploader(options + ["--once"], log: "uploader-resume.log")
        resumed.waitUntilExit()
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(resumed.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("resuming a multipart upload"), text)
        XCTAssertTrue(text.contains("upload.partsDone=\(partsDone)"), text)
        XCTAssertTrue(text.contains("delivered 1 clip(s)"), text)
        try assertAllDelivered(["crash.mp4": expected])
        let done = try XCTUnwrap(spool.entries(in: .done).first)
        XCTAssertTrue(done.manifest.remoteETag?.hasSuffix("-8") == true, "\(done.manifest.remoteETag ?? "nil")")
    }

    /// `upload --config`: the spool folder, the target and the credentials (as ${VARIABLES}) come from a `run`
    /// config file; nothing needs repeating on the command line.
    func testConfigFileGivesSpoolTargetAndCredentials() throws {
        let clip = try makeClip("from-config.mp4", size: 20_000)
        let hooks = try WebhookTestServer(secret: "hook-secret", failFirst: 0)
        defer { hooks.stop() }
        let config = temp.appendingPathComponent("seccam.yaml")
        try """
            output: \(temp.appendingPathComponent("clips").path)
            spool: \(spool.root)
            cameras:
              - name: door
                source: rtsp://127.0.0.1:9/door
            upload:
              target: s3://\(bucket)/\(prefix)
              endpoint: \(server.endpoint)
              path-style: true
              access-key-id: ${SECCAM_TEST_KEY_ID}
              secret-access-key: ${SECCAM_TEST_SECRET}
            webhook:
              url: http://127.0.0.1:\(hooks.port)/hook
              secret: hook-secret
            """.write(to: config, atomically: true, encoding: .utf8)
        // Wrong keys in the usual variables: the upload succeeds only with the config's.
        let environment = ["SECCAM_TEST_KEY_ID": SeaweedServer.accessKey, "SECCAM_TEST_SECRET": SeaweedServer.secretKey,
                           "AWS_ACCESS_KEY_ID": "not-this-key", "AWS_SECRET_ACCESS_KEY": "not-this-secret"]
        let result = try ProcessRunner.run([TestPaths.executable.path, "upload", "--config", config.path, "--once", "--enqueue", clip],
                                           environment: environment)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("delivered 1 clip(s)"), result.stdout)
        XCTAssertFalse((result.stdout + result.stderr).contains(SeaweedServer.secretKey), "the secret is never printed")
        try assertAllDelivered(["from-config.mp4": try sha256(clip)])

        // The config's webhook heard of the delivery before the process exited (clip.uploaded, with the object's URL).
        let announced = try hooks.requests().map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]) }
        XCTAssertEqual(announced.map { $0["type"] as? String }, ["clip.uploaded"])
        let key = try XCTUnwrap(try client().listKeys(prefix: prefix + "/").first)
        XCTAssertEqual(announced.first?["clipURL"] as? String, "\(server.endpoint)/\(bucket)/\(key)", "\(announced)")
        XCTAssertTrue(hooks.requests().allSatisfy(\.verified))

        // Both ways of naming the spool at once is refused before anything runs.
        let both = try ProcessRunner.run([TestPaths.executable.path, "upload", "--config", config.path, "--spool", spool.root, "--once"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("do not also give --spool"), both.stderr)
    }

    /// `--enqueue` + `--once`, then `spool list`, `retry` and `purge`, and --once's exit status.
    func testEnqueueOnceAndSpoolCommands() throws {
        let clips = try (1...3).map { try makeClip("cli-\($0).mp4", size: 10_000 * $0) }
        let (once, log) = try startUploader(["--once", "--enqueue"] + clips, log: "once.log")
        once.waitUntilExit()
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(once.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("delivered 3 clip(s)"), text)
        var expected: [String: String] = [:]
        for clip in clips { expected[(clip as NSString).lastPathComponent] = try sha256(clip) }
        try assertAllDelivered(expected)

        // A wrong key: --once exits non-zero, the entry is in failed/ with the reason, and no secret is printed.
        let bad = try makeClip("cli-bad.mp4", size: 5000)
        let process = Process()
        process.executableURL = TestPaths.executable
        process.arguments = ["upload", "--spool", spool.root, "--target", "s3://\(bucket)/\(prefix)", "--endpoint", server.endpoint,
                             "--path-style", "--once", "--enqueue", bad, "--log-level", "debug"]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = SeaweedServer.accessKey
        environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-value-xyz"
        process.environment = environment
        let badLog = temp.appendingPathComponent("bad.log")
        _ = FileManager.default.createFile(atPath: badLog.path, contents: nil)
        let handle = try FileHandle(forWritingTo: badLog)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let badText = try String(contentsOf: badLog, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 1, badText)
        XCTAssertTrue(badText.contains("not everything was delivered"), badText)
        XCTAssertFalse(badText.contains("wrong-secret-value-xyz"), badText)

        let list = try ProcessRunner.run([TestPaths.executable.path, "spool", "list", "--spool", spool.root])
        XCTAssertTrue(list.stdout.contains("failed: 1"), list.stdout)
        XCTAssertTrue(list.stdout.contains("done: 3"), list.stdout)
        XCTAssertTrue(list.stdout.contains("HTTP 403"), list.stdout)
        let retry = try ProcessRunner.run([TestPaths.executable.path, "spool", "retry", "--spool", spool.root])
        XCTAssertTrue(retry.stdout.contains("requeued 1 entry"), retry.stdout)
        XCTAssertEqual(spool.entries(in: .pending).count, 1)
        let purge = try ProcessRunner.run([TestPaths.executable.path, "spool", "purge", "--spool", spool.root])
        XCTAssertTrue(purge.stdout.contains("purged 3 done entries"), purge.stdout)
        XCTAssertEqual(spool.entries(in: .done).count, 0)
        XCTAssertEqual(spool.entries(in: .pending).count, 1, "purge never touches pending entries")
    }
}

extension S3Client {
    /// Whether the server accepts a write now: one small upload through a throwaway spool, one attempt.
    func putProbe(file: String) throws -> Bool {
        let spoolRoot = (file as NSString).deletingLastPathComponent + "/probe-spool-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: spoolRoot) }
        let spool = try SpoolDirectory(root: spoolRoot)
        try spool.enqueue(clip: file)
        var configuration = UploaderConfiguration()
        configuration.retry = RetryPolicy(baseDelay: 0.1, maxDelay: 0.1, maxAttempts: 1)
        let summary = try Uploader(spool: spool, target: .s3(self.configuration, S3Credentials(
            accessKeyId: SeaweedServer.accessKey, secretAccessKey: SeaweedServer.secretKey)), configuration: configuration,
                                   logger: Logger(label: "probe", factory: { _ in SwiftLogNoOpLogHandler() })).run(mode: .drain(deadline: Date()))
        return summary.delivered == 1
    }
}
