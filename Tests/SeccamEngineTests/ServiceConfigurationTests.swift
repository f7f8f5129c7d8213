import SeccamEngine
import XCTest

/// The YAML service config: the README example loads; broken configs are refused with every problem's key path.
final class ServiceConfigurationTests: XCTestCase {
    private let environment = [
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-key", "FRONT_DOOR_PASSWORD": "p@ss:word",
        "SECCAM_WEBHOOK_SECRET": "hook",
    ]

    private func parse(_ yaml: String, environment: [String: String]? = nil) throws -> ServiceConfiguration {
        try ServiceConfiguration.parse(yaml: yaml, file: "test.yaml", environment: environment ?? self.environment)
    }

    /// The problems of a config that must be refused.
    private func problems(_ yaml: String, environment: [String: String]? = nil) -> [ConfigurationProblem] {
        do {
            _ = try parse(yaml, environment: environment)
            XCTFail("config was accepted:\n\(yaml)")
            return []
        } catch let error as ConfigurationError {
            return error.problems
        } catch {
            XCTFail("unexpected error \(error)")
            return []
        }
    }

    func testTheExampleLoadsWithEverySetting() throws {
        let config = try parse(ExampleConfiguration.yaml)
        XCTAssertEqual(config.output, "/var/lib/seccam/clips")
        XCTAssertEqual(config.spool, "/var/lib/seccam/spool")
        XCTAssertEqual(config.stallTimeout, 10)
        XCTAssertEqual(config.offlineAfter, 60)
        XCTAssertEqual(config.metrics, MetricsListen(host: "127.0.0.1", port: 9101))
        XCTAssertEqual(config.retention.maxAge, 30 * 86_400)
        XCTAssertEqual(config.retention.maxBytes, 200_000_000_000)
        XCTAssertEqual(config.upload?.accessKeyID, "AKIDEXAMPLE")
        XCTAssertEqual(config.upload?.maxBytesPerSecond, 2_000_000)
        XCTAssertEqual(config.webhook?.secret, "hook")
        XCTAssertEqual(config.cameras.map(\.name), ["front-door", "garage", "test-loop"])
        XCTAssertEqual(config.enabledCameras.map(\.name), ["front-door", "garage"])

        let door = config.cameras[0]
        XCTAssertEqual(door.options.detector.threshold, 0.2, "the camera's own key wins over defaults")
        XCTAssertEqual(door.options.detector.downscaleFactor, 2, "defaults apply")
        XCTAssertEqual(door.options.detector.regions.map(\.name), ["path", "gate"])
        XCTAssertEqual(door.options.detector.regions[1].threshold, 0.35)
        XCTAssertEqual(door.options.detector.regions[1].points.first, PolygonPoint(x: 500, y: 0))
        XCTAssertEqual(door.options.demuxer.timeout, .seconds(10), "stall-timeout bounds every read")
        XCTAssertNotNil(door.detectSource)
        XCTAssertFalse(door.source.redacted.contains("p@ss"), "the password is spliced in but never shown")
        XCTAssertEqual(config.cameras[1].options.timePostEvent, .seconds(5))
        XCTAssertEqual(config.cameras[1].options.detector.threshold, 0.15)
        XCTAssertEqual(config.cameras[1].maxAge, 7 * 86_400)
        XCTAssertTrue(config.cameras[1].options.thumbnails)
        XCTAssertFalse(door.options.thumbnails)
    }

    /// `thumbnails` is a yes/no key.
    func testThumbnailsKeyIsChecked() throws {
        let base = "output: /tmp/c\ncameras:\n  - name: a\n    source: rtsp://127.0.0.1:1/x\n"
        XCTAssertThrowsError(try parse(base + "    thumbnails: maybe\n")) {
            XCTAssertTrue("\($0)".contains("cameras[0].thumbnails"), "\($0)")
        }
        XCTAssertTrue(try parse(base + "    thumbnails: yes\n").cameras[0].options.thumbnails)
        XCTAssertTrue(try parse(base + "    thumbnails: true\n    detect-source: rtsp://127.0.0.1:1/y\n").cameras[0].options.thumbnails)
    }

    func testMinimalConfigGetsDvrScanDefaults() throws {
        let config = try parse("output: /tmp/clips\ncameras:\n  - name: a\n    source: rtsp://127.0.0.1:8554/a\n")
        let options = config.cameras[0].options
        XCTAssertEqual(options.detector.threshold, 0.15)
        XCTAssertEqual(options.detector.kernelSize, -1)
        XCTAssertEqual(options.timeBeforeEvent, .seconds(1.5))
        XCTAssertEqual(options.timePostEvent, .seconds(2.0))
        XCTAssertEqual(config.cameras[0].container, .mp4)
        XCTAssertNil(config.spool)
    }

    /// Each broken config is refused, naming the key path of its problem.
    func testBrokenConfigsAreRefusedWithTheirKeyPaths() {
        let camera = "output: /tmp/c\ncameras:\n  - name: a\n    source: rtsp://127.0.0.1/a\n"
        let cases: [(yaml: String, path: String, words: String)] = [
            (camera + "    thresold: 0.2\n", "cameras[0].thresold", "unknown key"),
            (camera.replacingOccurrences(of: "rtsp://127.0.0.1/a", with: "htp://cam/x"), "cameras[0].source", "unsupported URL scheme"),
            (camera.replacingOccurrences(of: "rtsp://127.0.0.1/a", with: "rtsp:///x"), "cameras[0].source", "no host"),
            (camera.replacingOccurrences(of: "rtsp://127.0.0.1/a", with: "cam.local"), "cameras[0].source", "expected a URL"),
            (camera + "    regions:\n      - points: [[0, 0], [10, 0]]\n", "cameras[0].regions[0].points", "at least 3 points"),
            (camera + "    regions:\n      - points: [[0, 0], [10, -4], [5, 5]]\n", "cameras[0].regions[0].points", "non-negative"),
            (camera + "    regions:\n      - name: x\n", "cameras[0].regions[0].points", "missing"),
            (camera + "    time-before-event: -2s\n", "cameras[0].time-before-event", "-2s"),
            (camera + "    kernel-size: 4\n", "cameras[0].kernel-size", "odd"),
            (camera + "    threshold: lots\n", "cameras[0].threshold", "expected a number"),
            (camera + "  - name: a\n    source: rtsp://127.0.0.1/b\n", "cameras[1].name", "already used"),
            (camera + "  - name: 'front door'\n    source: rtsp://127.0.0.1/b\n", "cameras[1].name", "letters, digits"),
            (camera + "  - source: rtsp://127.0.0.1/b\n", "cameras[1].name", "missing"),
            (camera + "    bg-subtractor: KNN\n", "cameras[0].bg-subtractor", "MOG2 or CNT"),
            (camera + "    container: avi\n", "cameras[0].container", "mp4 or mkv"),
            (camera + "stall-timeout: 0\n", "stall-timeout", "greater than 0"),
            (camera + "metrics:\n  listen: localhost\n", "metrics.listen", "HOST:PORT"),
            (camera + "upload:\n  target: ftp://x\n", "upload.target", "s3://"),
            (camera + "upload:\n  target: s3://b/p\n", "upload", "spool"),
            (camera + "retention:\n  max-bytes: lots\n", "retention.max-bytes", "size"),
            ("cameras:\n  - name: a\n    source: rtsp://127.0.0.1/a\n", "output", "missing"),
            ("output: /tmp/c\n", "cameras", "missing"),
            (camera + "    password: ${NOT_SET_ANYWHERE}\n", "cameras[0].password", "NOT_SET_ANYWHERE is not set"),
            (camera + "defaults:\n  threshold: -1\n", "defaults.threshold", ">= 0"),
        ]
        for c in cases {
            let found = problems(c.yaml)
            XCTAssertTrue(found.contains { $0.keyPath == c.path && $0.description.contains(c.words) },
                          "expected a problem at \(c.path) mentioning '\(c.words)', got \(found)")
        }
    }

    func testEveryProblemIsListedNotJustTheFirst() {
        let yaml = """
            output: /tmp/c
            cameras:
              - name: a
                source: rtsp://127.0.0.1/a
                threshold: high
                kernel-size: 2
              - name: b
                source: gopher://x
            """
        let found = problems(yaml)
        XCTAssertEqual(Set(found.map(\.keyPath)), ["cameras[0].threshold", "cameras[0].kernel-size", "cameras[1].source"])
        XCTAssertEqual(found.first { $0.keyPath == "cameras[0].threshold" }?.line, 5)
    }

    func testInvalidYAMLAndEmptyFilesAreRefused() {
        XCTAssertTrue(problems("output: [unclosed\n").first?.message.contains("not valid YAML") ?? false)
        XCTAssertTrue(problems("").first?.message.contains("empty") ?? false)
        XCTAssertTrue(problems("- just\n- a list\n").first?.message.contains("mapping") ?? false)
    }

    func testProblemsNeverShowPasswords() {
        let yaml = "output: /tmp/c\ncameras:\n  - name: a\n    source: htp://admin:hunter2@cam/x\n"
        let text = problems(yaml).map(\.description).joined()
        XCTAssertTrue(text.contains("htp://***@cam/x"), text)
        XCTAssertFalse(text.contains("hunter2"))
    }

    func testFingerprintChangesOnlyForTheChangedCamera() throws {
        let before = try parse("output: /c\ndefaults:\n  threshold: 0.2\ncameras:\n  - name: a\n    source: rtsp://h/a\n  - name: b\n    source: rtsp://h/b\n")
        let after = try parse("output: /c\ndefaults:\n  threshold: 0.2\ncameras:\n  - name: a\n    source: rtsp://h/a\n  - name: b\n    source: rtsp://h/b\n    threshold: 0.3\n")
        XCTAssertEqual(before.cameras[0].fingerprint, after.cameras[0].fingerprint)
        XCTAssertNotEqual(before.cameras[1].fingerprint, after.cameras[1].fingerprint)
        let defaultsChanged = try parse("output: /c\ndefaults:\n  threshold: 0.25\ncameras:\n  - name: a\n    source: rtsp://h/a\n  - name: b\n    source: rtsp://h/b\n")
        XCTAssertNotEqual(before.cameras[0].fingerprint, defaultsChanged.cameras[0].fingerprint)
    }
}
