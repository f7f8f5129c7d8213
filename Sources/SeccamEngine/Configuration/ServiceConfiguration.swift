import Foundation

/// Everything `seccam-engine run --config FILE` runs: global settings and the cameras.
/// Loaded and checked by ``ServiceConfiguration/load(path:environment:)``.
public struct ServiceConfiguration: Sendable {
    /// Clips go to `output/<camera>/<YYYY-MM-DD>/`.
    public var output: String
    /// Finished clips are queued here for upload; nil keeps them only in `output`.
    public var spool: String?
    /// Seconds without a packet before a camera counts as stalled and is reconnected.
    public var stallTimeout: Double = 10
    /// Seconds a camera may be unreachable before a camera-offline event is sent.
    public var offlineAfter: Double = 60
    /// Loopback address of the `/metrics` and `/healthz` endpoint; nil for none.
    public var metrics: MetricsListen?
    /// Disk safety: age limits and the global disk budget.
    public var retention = RetentionPolicy()
    /// Where the spool uploads to; nil for no uploader.
    public var upload: UploadSettings?
    /// Webhook notifications; nil for none.
    public var webhook: WebhookSettings?
    /// MQTT notifications (Home Assistant style topics); nil for none, and then no MQTT client is started.
    public var mqtt: MQTTConfiguration?
    /// The cameras, disabled ones included (they are listed but not started).
    public var cameras: [CameraConfiguration]

    public init(output: String, cameras: [CameraConfiguration]) {
        self.output = output
        self.cameras = cameras
    }

    /// The cameras to start.
    public var enabledCameras: [CameraConfiguration] { cameras.filter(\.enabled) }

    /// The enabled cameras as `run` supervises them, with the service-wide offline delay.
    public var cameraSpecs: [CameraSpec] {
        enabledCameras.map {
            var spec = $0.spec
            spec.offlineAfter = offlineAfter
            spec.fingerprint += "\nstall-timeout=\(stallTimeout)\noffline-after=\(offlineAfter)"
            return spec
        }
    }
}

/// One camera of a service config.
public struct CameraConfiguration: Sendable {
    /// Folder and log name: letters, digits, `-` and `_`.
    public var name: String
    /// Where clips are cut from (the main stream).
    public var source: SourceURL
    /// Optional low-resolution stream to run detection on; clips are still cut from ``source``.
    public var detectSource: SourceURL?
    /// A disabled camera is checked but not started.
    public var enabled = true
    /// Detector, event and input options (defaults merged with the camera's own keys).
    public var options: ScanOptions
    /// Clip container.
    public var container: ClipContainer = .mp4
    /// This camera's clip folder root (default: the global `output`).
    public var output: String
    /// Delete this camera's uploaded clips older than this many seconds; nil keeps them (budget permitting).
    public var maxAge: Double?
    /// A text that changes whenever a setting that needs a restart changes (SIGHUP restarts only those cameras).
    public var fingerprint: String

    public init(name: String, source: SourceURL, detectSource: SourceURL? = nil, options: ScanOptions,
                container: ClipContainer = .mp4, output: String, fingerprint: String = "") {
        self.name = name
        self.source = source
        self.detectSource = detectSource
        self.options = options
        self.container = container
        self.output = output
        self.fingerprint = fingerprint
    }

    /// The camera as `run` supervises it.
    public var spec: CameraSpec {
        CameraSpec(name: name, source: source, options: options, output: output, container: container,
                   detectSource: detectSource, fingerprint: fingerprint)
    }
}

/// `metrics.listen`: where `/metrics` and `/healthz` are served.
public struct MetricsListen: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (an empty host means 127.0.0.1); nil when it is not that.
    public init?(parsing text: String) {
        guard let (host, port) = ConfigValueText.hostAndPort(text) else { return nil }
        self.init(host: host, port: port)
    }
}

/// `retention`: how old clips may get and how much disk they may use. Uploaded clips go first.
public struct RetentionPolicy: Sendable, Equatable {
    /// Delete uploaded clips older than this many seconds (cameras may set their own); nil for no age limit.
    public var maxAge: Double?
    /// Total bytes of clips in `output`; nil for no limit.
    public var maxBytes: Int64?
    /// Keep at least this percentage of the output file system free.
    public var minFreePercent: Double = 5
    /// Below this percentage free, clips still waiting for upload are deleted too (oldest first, logged as errors).
    public var hardFloorPercent: Double = 1

    public init() {}
}

/// `upload`: the spool's target. Credentials are kept apart from the target text.
public struct UploadSettings: Sendable {
    /// `s3://BUCKET/PREFIX` or an `http(s)://` URL to PUT to.
    public var target: String
    /// S3 endpoint URL (AWS when nil).
    public var endpoint: String?
    public var region = "us-east-1"
    public var pathStyle = false
    /// Object key template: `{camera}`, `{date}`, `{file}`.
    public var keyTemplate = "{camera}/{date}/{file}"
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    /// HTTP targets: `Authorization: Bearer` token.
    public var bearerToken: String?
    /// S3 `x-amz-server-side-encryption` value (`AES256`, `aws:kms`).
    public var serverSideEncryption: String?
    public var concurrency = 2
    /// Upload bandwidth cap in bytes per second; nil for none.
    public var maxBytesPerSecond: Int64?

    public init(target: String) { self.target = target }
}

/// `webhook`: JSON POSTs on event start/end and camera offline.
public struct WebhookSettings: Sendable {
    public var url: String
    /// When set, each POST carries an HMAC-SHA256 of its body in a header.
    public var secret: String?

    public init(url: String) { self.url = url }
}
