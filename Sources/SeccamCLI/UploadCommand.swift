import ArgumentParser
import Dispatch
import Foundation
import Logging
import SeccamEngine
import SeccamSpool

struct UploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload spooled clips to S3 (or an HTTP endpoint), durably: retries with backoff, resumes after crashes.",
        discussion: """
            Credentials come from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN \
            and AWS_REGION (S3), or the variable named by --bearer-token-env (HTTP). They are never printed or stored.
            With --config, the spool folder, the target and its credentials come from the `run` config file instead \
            (its spool: and upload: keys, which also set --concurrency and --max-bytes-per-second), e.g. to drain \
            the spool by hand with --once; its webhook: and mqtt: keys then announce each delivered clip \
            (clip.uploaded).
            Without --once it runs until SIGTERM/SIGINT, picking up new clips as they are spooled.
            """
    )

    @Option(name: .long, help: "The spool folder (created if missing).")
    var spool: String?

    @Option(name: .long, help: "A `run` config file: take the spool folder and the upload target from its spool: and upload: keys.")
    var config: String?

    @Option(name: .long, help: "s3://BUCKET[/PREFIX], or an http(s):// URL for HTTP targets. Without it, only --enqueue runs.")
    var target: String?

    @Option(name: .long, help: "S3 endpoint URL, e.g. http://127.0.0.1:8333 [AWS's regional endpoint].")
    var endpoint: String?

    @Option(name: .long, help: "S3 region [$AWS_REGION or us-east-1].")
    var region: String?

    @Flag(name: .long, help: "Path-style S3 addressing (ENDPOINT/BUCKET/KEY) instead of virtual-host style.")
    var pathStyle = false

    @Option(name: .long, help: "Object key template below the prefix: {camera}, {date}, {file}, {id}.")
    var keyTemplate = "{camera}/{date}/{file}"

    @Option(name: .long, help: "x-amz-server-side-encryption value (AES256 or aws:kms).")
    var sse: String?

    @Flag(name: .long, help: "Upload what is pending, then exit: status 0 only when everything was delivered.")
    var once = false

    @Option(name: .long, help: "With --once: stop retrying after this many seconds.")
    var onceTimeout: Double = 600

    @Option(name: .long, help: "Clips uploaded at the same time.")
    var concurrency = 2

    @Option(name: .long, help: "Total upload bandwidth cap in bytes per second (0: none).")
    var maxBytesPerSecond: Int64 = 0

    @Option(name: .long, parsing: .upToNextOption, help: "Add these clips (with their .json sidecars when present) to the spool first.")
    var enqueue: [String] = []

    @Option(name: .long, help: "Camera name for --enqueue clips whose sidecar names none.")
    var camera: String?

    @Option(name: .long, help: "Clips larger than this many MiB use multipart upload.")
    var multipartThresholdMib = 16

    @Option(name: .long, help: "Multipart part size in MiB (at least 5).")
    var partSizeMib = 8

    @Option(name: .long, help: "First retry delay in seconds (doubles per attempt, with jitter).")
    var retryBase: Double = 5

    @Option(name: .long, help: "Longest retry delay in seconds.")
    var retryMax: Double = 900

    @Option(name: .long, help: "Move an entry to failed/ after this many transient failures (default: never).")
    var maxAttempts: Int?

    @Option(name: .long, help: "Seconds between looks for new clips when idle.")
    var pollInterval: Double = 2

    @Option(name: .long, help: "Abort a transfer slower than 1 byte/s for this many seconds.")
    var stallTimeout = 30

    @Flag(name: .long, help: "Keep delivered clips in done/ (default: only their manifests).")
    var keepDelivered = false

    @Option(name: .long, help: "HTTP targets: put (to URL/KEY) or post-form (multipart/form-data to URL).")
    var httpMethod: String = "put"

    @Option(name: .long, help: "HTTP targets: a request header \"Name: value\" (repeatable).")
    var header: [String] = []

    @Option(name: .long, help: "HTTP targets: environment variable holding a bearer token.")
    var bearerTokenEnv = "SECCAM_UPLOAD_TOKEN"

    @Option(name: .long, help: "curl's CONNECT_TO: HOST:PORT:CONNECT-HOST:CONNECT-PORT (repeatable), e.g. ::127.0.0.1: for virtual-host buckets without DNS.")
    var connectTo: [String] = []

    @Option(name: .long, help: "CA bundle (PEM) for https endpoints with a private CA.")
    var caBundle: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard partSizeMib >= 5 else { throw ValidationError("--part-size-mib must be at least 5 (S3's minimum part size)") }
        guard maxBytesPerSecond >= 0 else { throw ValidationError("--max-bytes-per-second must not be negative") }
        if config != nil {
            guard spool == nil, target == nil else {
                throw ValidationError("--config gives the spool folder and the target; do not also give --spool or --target")
            }
        } else {
            guard spool != nil else { throw ValidationError("give --spool (or --config)") }
            guard target != nil || !enqueue.isEmpty else { throw ValidationError("give --target, --enqueue or both") }
        }
        guard ["put", "post-form"].contains(httpMethod) else { throw ValidationError("--http-method is put or post-form") }
    }

    func run() throws {
        let logger = logging.makeLogger(label: "seccam.upload")
        let configured = try configuredUpload()
        guard let spool = spool ?? configured?.spool else { throw ValidationError("give --spool (or --config)") }
        let directory = try SpoolDirectory(root: spool, logger: logger)
        for clip in enqueue {
            let entry = try directory.enqueue(clip: clip, camera: camera)
            print("enqueued \(clip) as \(entry.id)")
        }
        guard (target ?? configured?.upload.target) != nil else { return }
        let uploadTarget: UploadTarget
        var configuration: UploaderConfiguration
        if let configured {
            do { uploadTarget = try configured.upload.makeTarget() } catch { throw CommandFailure("\(config ?? ""): upload: \(error)") }
            configuration = configured.upload.uploaderConfiguration
        } else {
            uploadTarget = try makeTarget()
            configuration = UploaderConfiguration()
            configuration.concurrency = concurrency
            configuration.maxBytesPerSecond = maxBytesPerSecond
        }
        configuration.retry = RetryPolicy(baseDelay: retryBase, maxDelay: retryMax, maxAttempts: maxAttempts)
        configuration.pollInterval = pollInterval
        configuration.keepDeliveredClips = keepDelivered
        configuration.transfer.lowSpeedTime = stallTimeout
        configuration.transfer.connectTo = connectTo
        configuration.transfer.caBundle = caBundle
        let notifiers = try configured.map { try Notifiers(settings: $0.settings, spool: directory, role: "upload", logger: logger) }
        let uploader = Uploader(spool: directory, target: uploadTarget, configuration: configuration, logger: logger,
                                onDelivered: notifiers?.announceUploads)
        // Notifications still queued at exit stay kept in the spool for the next `upload --config`.
        defer { notifiers?.finish(waitingUpTo: 10) }

        // SIGTERM / SIGINT: abort transfers, put entries back to pending/, exit.
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { uploader.stop() }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }

        let mode: Uploader.Mode = once ? .drain(deadline: Date().addingTimeInterval(onceTimeout)) : .continuous
        let summary = try uploader.run(mode: mode)
        let mib = Double(summary.bytes) / 1_048_576
        print(String(format: "delivered %d clip(s), %.1f MiB in %.1f s (%.1f MiB/s) to %@; pending %d, failed %d",
                     summary.delivered, mib, summary.seconds, summary.seconds > 0 ? mib / summary.seconds : 0,
                     uploadTarget.displayName, summary.pending + summary.inflight, summary.failedInSpool))
        if once && !summary.isComplete {
            throw CommandFailure("not everything was delivered from \(spool) to \(uploadTarget.displayName): \(summary.pending + summary.inflight) pending, "
                                 + "\(summary.failedInSpool) failed (see `seccam-engine spool list --spool \(spool)`)")
        }
    }

    /// `--config`: the config file's spool folder and upload settings (both required there), and the whole file.
    private func configuredUpload() throws -> (spool: String, upload: UploadSettings, settings: ServiceConfiguration)? {
        guard let config else { return nil }
        let settings: ServiceConfiguration
        do { settings = try ServiceConfiguration.load(path: config) } catch { throw CommandFailure(error.description) }
        guard let spool = settings.spool else { throw CommandFailure("\(config): spool: is not set, so there is nothing to upload") }
        guard let upload = settings.upload else { throw CommandFailure("\(config): upload: is not set (the target to upload to)") }
        return (spool, upload, settings)
    }

    private func makeTarget() throws -> UploadTarget {
        guard let target else { throw ValidationError("no --target") }
        if target.hasPrefix("s3://") {
            var s3 = try S3Configuration.parse(target: target, endpoint: endpoint, region: region, pathStyle: pathStyle)
            s3.keyTemplate = keyTemplate
            s3.serverSideEncryption = sse
            s3.multipartThreshold = multipartThresholdMib << 20
            s3.partSize = partSizeMib << 20
            return .s3(s3, try S3Credentials.fromEnvironment())
        }
        guard let url = URL(string: target), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            throw ValidationError("--target must be s3://BUCKET/PREFIX or an http(s):// URL, not \(target)")
        }
        var headers: [String: String] = [:]
        for line in header {
            guard let colon = line.firstIndex(of: ":") else { throw ValidationError("--header must be \"Name: value\"") }
            headers[String(line[..<colon]).trimmingCharacters(in: .whitespaces)] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        var http = HTTPTargetConfiguration(baseURL: url, method: httpMethod == "post-form" ? .postForm : .put, headers: headers,
                                           bearerToken: ProcessInfo.processInfo.environment[bearerTokenEnv])
        http.keyTemplate = keyTemplate
        return .http(http)
    }
}
