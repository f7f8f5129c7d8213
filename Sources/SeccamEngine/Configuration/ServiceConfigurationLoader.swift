import Foundation
import Yams

extension ServiceConfiguration {
    /// Reads, parses and checks a YAML service config file.
    /// - Throws: ``ConfigurationError`` listing every problem with its key path; nothing is started.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> ServiceConfiguration
    {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(file: path, problems: [
                ConfigurationProblem(keyPath: "", line: nil, message: "cannot read the file (\(error.localizedDescription))"),
            ])
        }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Parses and checks config text; `file` names it in errors.
    public static func parse(yaml: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> ServiceConfiguration
    {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(keyPath: "", line: nil, message: "not valid YAML: \(error)")])
        }
        guard let root else {
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(keyPath: "", line: nil, message: "the file is empty")])
        }
        var loader = ServiceConfigurationLoader(reader: ConfigNodeReader(environment: environment))
        let configuration = loader.service(root)
        if let configuration, loader.reader.problems.isEmpty { return configuration }
        throw ConfigurationError(file: file, problems: loader.reader.problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
    }
}

/// The schema of the service config: which keys exist where and how each becomes a setting.
struct ServiceConfigurationLoader {
    var reader: ConfigNodeReader

    static let topLevelKeys: Set<String> = [
        "output", "spool", "stall-timeout", "offline-after", "metrics", "retention", "upload", "webhook", "mqtt", "defaults",
        "cameras",
    ]
    /// Keys that set detection, event and input options, in `defaults` and in each camera.
    static let optionKeys: Set<String> = Set(DvrScanConfigFile.detectionKeys).subtracting(["load-region"])
        .union(["regions", "rtsp-transport", "input-options", "container", "thumbnails"])
    static let cameraKeys: Set<String> = optionKeys.union([
        "name", "source", "detect-source", "enabled", "username", "password", "output", "max-age",
    ])

    mutating func service(_ root: Node) -> ServiceConfiguration? {
        guard let pairs = reader.mapping(root, at: "", known: Self.topLevelKeys) else { return nil }
        let node = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
        var output: String?
        if let n = node["output"] { output = reader.nonEmptyString(n, at: "output") } else {
            reader.report("output", root, "missing: the folder clips are written to")
        }
        var defaults: [(key: String, path: String, value: Node)] = []
        if let n = node["defaults"], let items = reader.mapping(n, at: "defaults", known: Self.optionKeys) { defaults = items }
        var cameras: [CameraConfiguration] = []
        if let n = node["cameras"], let items = reader.sequence(n, at: "cameras") {
            var names: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                let path = "cameras[\(index)]"
                guard let camera = self.camera(item, at: path, defaults: defaults, output: output ?? "") else { continue }
                if let first = names[camera.name] {
                    reader.report("\(path).name", item, "camera name '\(camera.name)' is already used by cameras[\(first)]")
                } else {
                    names[camera.name] = index
                }
                cameras.append(camera)
            }
            if items.isEmpty { reader.report("cameras", n, "the list is empty: add at least one camera") }
        } else if node["cameras"] == nil {
            reader.report("cameras", root, "missing: the list of cameras")
        }
        if defaults.isEmpty == false { checkOptions(defaults) }
        var configuration = ServiceConfiguration(output: output ?? "", cameras: cameras)
        if let n = node["spool"] { configuration.spool = reader.nonEmptyString(n, at: "spool") }
        if let n = node["stall-timeout"], let v = reader.seconds(n, at: "stall-timeout") { configuration.stallTimeout = v }
        if let n = node["offline-after"], let v = reader.seconds(n, at: "offline-after") { configuration.offlineAfter = v }
        if let n = node["metrics"] { configuration.metrics = metrics(n) }
        if let n = node["retention"] { configuration.retention = retention(n) }
        if let n = node["upload"] {
            configuration.upload = upload(n)
            if configuration.spool == nil { reader.report("upload", n, "an upload target needs a 'spool' folder to upload from") }
        }
        if let n = node["webhook"] { configuration.webhook = webhook(n) }
        if let n = node["mqtt"] { configuration.mqtt = mqtt(n) }
        for index in configuration.cameras.indices {
            configuration.cameras[index].options.demuxer.timeout = .milliseconds(Int64(configuration.stallTimeout * 1000))
        }
        return configuration
    }

    /// Reports problems in the `defaults` keys once (cameras then skip re-reporting them).
    private mutating func checkOptions(_ pairs: [(key: String, path: String, value: Node)]) {
        var scratch = CameraOptionsBuilder()
        for pair in pairs { scratch.apply(pair, reader: &reader) }
    }

    private mutating func camera(_ node: Node, at path: String, defaults: [(key: String, path: String, value: Node)], output: String)
        -> CameraConfiguration?
    {
        guard let pairs = reader.mapping(node, at: path, known: Self.cameraKeys) else { return nil }
        let own = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, ($0.path, $0.value)) })
        guard let nameEntry = own["name"] else {
            reader.report("\(path).name", node, "missing: every camera needs a name")
            return nil
        }
        guard let name = reader.nonEmptyString(nameEntry.1, at: nameEntry.0) else { return nil }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            reader.report(nameEntry.0, nameEntry.1, "camera name '\(name)' may use only letters, digits, - and _ (it names a folder)")
            return nil
        }
        guard let sourceEntry = own["source"] else {
            reader.report("\(path).source", node, "missing: the camera's stream URL")
            return nil
        }
        guard let sourceText = reader.source(sourceEntry.1, at: sourceEntry.0) else { return nil }
        let username = own["username"].flatMap { reader.string($0.1, at: $0.0) }
        let password = own["password"].flatMap { reader.string($0.1, at: $0.0) }
        let detectText = own["detect-source"].flatMap { reader.source($0.1, at: $0.0) }

        // Defaults first (already reported on their own), then the camera's keys.
        var builder = CameraOptionsBuilder()
        var quiet = ConfigNodeReader(environment: reader.environment)
        for pair in defaults { builder.apply(pair, reader: &quiet) }
        for pair in pairs where Self.optionKeys.contains(pair.key) { builder.apply(pair, reader: &reader) }

        let overridden = Set(pairs.map(\.key))
        let fingerprintLines = (defaults.filter { !overridden.contains($0.key) } + pairs.filter { $0.key != "enabled" })
            .map { "\($0.key)=\(Self.render($0.value))" }.sorted()
        var camera = CameraConfiguration(
            name: name,
            source: SourceURL(sourceText, username: username, password: password),
            detectSource: detectText.map { SourceURL($0, username: username, password: password) },
            options: builder.options,
            container: builder.container,
            output: output,
            fingerprint: fingerprintLines.joined(separator: "\n"))
        if let e = own["enabled"], let v = reader.bool(e.1, at: e.0) { camera.enabled = v }
        if let e = own["output"], let v = reader.nonEmptyString(e.1, at: e.0) { camera.output = v }
        if let e = own["max-age"], let v = reader.seconds(e.1, at: e.0) { camera.maxAge = v }
        return camera
    }

    private mutating func metrics(_ node: Node) -> MetricsListen? {
        guard let pairs = reader.mapping(node, at: "metrics", known: ["listen"]) else { return nil }
        guard let listen = pairs.first else {
            reader.report("metrics.listen", node, "missing: HOST:PORT to serve /metrics and /healthz on")
            return nil
        }
        guard let text = reader.nonEmptyString(listen.value, at: listen.path) else { return nil }
        guard let listen = MetricsListen(parsing: text) else {
            reader.report(listen.path, listen.value, "expected HOST:PORT such as 127.0.0.1:9101, got '\(text)'")
            return nil
        }
        return listen
    }

    private mutating func retention(_ node: Node) -> RetentionPolicy {
        var policy = RetentionPolicy()
        let known: Set<String> = ["max-age", "max-bytes", "min-free-percent", "hard-floor-percent"]
        for pair in reader.mapping(node, at: "retention", known: known) ?? [] {
            switch pair.key {
            case "max-age": policy.maxAge = reader.seconds(pair.value, at: pair.path)
            case "max-bytes": policy.maxBytes = reader.bytes(pair.value, at: pair.path)
            case "min-free-percent": policy.minFreePercent = reader.number(pair.value, at: pair.path, in: 0...99) ?? policy.minFreePercent
            default: policy.hardFloorPercent = reader.number(pair.value, at: pair.path, in: 0...99) ?? policy.hardFloorPercent
            }
        }
        if policy.hardFloorPercent > policy.minFreePercent {
            reader.report("retention.hard-floor-percent", node, "must not exceed min-free-percent (\(policy.minFreePercent))")
        }
        return policy
    }

    private mutating func upload(_ node: Node) -> UploadSettings? {
        let known: Set<String> = [
            "target", "endpoint", "region", "path-style", "key-template", "access-key-id", "secret-access-key",
            "session-token", "bearer-token", "server-side-encryption", "concurrency", "max-bytes-per-second",
        ]
        guard let pairs = reader.mapping(node, at: "upload", known: known) else { return nil }
        guard let targetPair = pairs.first(where: { $0.key == "target" }),
              let target = reader.nonEmptyString(targetPair.value, at: targetPair.path)
        else {
            if !pairs.contains(where: { $0.key == "target" }) { reader.report("upload.target", node, "missing: s3://BUCKET/PREFIX or an http(s):// URL") }
            return nil
        }
        guard target.hasPrefix("s3://") || target.hasPrefix("http://") || target.hasPrefix("https://") else {
            reader.report(targetPair.path, targetPair.value, "expected s3://BUCKET/PREFIX or an http(s):// URL, got '\(SourceURL.redact(target))'")
            return nil
        }
        var upload = UploadSettings(target: target)
        for pair in pairs {
            switch pair.key {
            case "endpoint": upload.endpoint = reader.nonEmptyString(pair.value, at: pair.path)
            case "region": upload.region = reader.nonEmptyString(pair.value, at: pair.path) ?? upload.region
            case "path-style": upload.pathStyle = reader.bool(pair.value, at: pair.path) ?? false
            case "key-template": upload.keyTemplate = reader.nonEmptyString(pair.value, at: pair.path) ?? upload.keyTemplate
            case "access-key-id": upload.accessKeyID = reader.nonEmptyString(pair.value, at: pair.path)
            case "secret-access-key": upload.secretAccessKey = reader.nonEmptyString(pair.value, at: pair.path)
            case "session-token": upload.sessionToken = reader.nonEmptyString(pair.value, at: pair.path)
            case "bearer-token": upload.bearerToken = reader.nonEmptyString(pair.value, at: pair.path)
            case "server-side-encryption": upload.serverSideEncryption = reader.nonEmptyString(pair.value, at: pair.path)
            case "concurrency": upload.concurrency = reader.integer(pair.value, at: pair.path, in: 1...64) ?? upload.concurrency
            case "max-bytes-per-second": upload.maxBytesPerSecond = reader.bytes(pair.value, at: pair.path)
            default: break
            }
        }
        return upload
    }

    private mutating func webhook(_ node: Node) -> WebhookSettings? {
        guard let pairs = reader.mapping(node, at: "webhook", known: ["url", "secret"]) else { return nil }
        guard let urlPair = pairs.first(where: { $0.key == "url" }) else {
            reader.report("webhook.url", node, "missing: the http(s):// URL to POST events to")
            return nil
        }
        guard let url = reader.nonEmptyString(urlPair.value, at: urlPair.path) else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            reader.report(urlPair.path, urlPair.value, "expected an http(s):// URL, got '\(SourceURL.redact(url))'")
            return nil
        }
        var webhook = WebhookSettings(url: url)
        if let s = pairs.first(where: { $0.key == "secret" }) { webhook.secret = reader.nonEmptyString(s.value, at: s.path) }
        return webhook
    }

    private mutating func mqtt(_ node: Node) -> MQTTConfiguration? {
        let known: Set<String> = ["host", "port", "username", "password", "topic-prefix", "client-id"]
        guard let pairs = reader.mapping(node, at: "mqtt", known: known) else { return nil }
        guard let hostPair = pairs.first(where: { $0.key == "host" }) else {
            reader.report("mqtt.host", node, "missing: the MQTT broker's host name or address")
            return nil
        }
        guard let host = reader.nonEmptyString(hostPair.value, at: hostPair.path) else { return nil }
        var mqtt = MQTTConfiguration(host: host)
        for pair in pairs {
            switch pair.key {
            case "port": mqtt.port = reader.integer(pair.value, at: pair.path, in: 1...65535) ?? mqtt.port
            case "username": mqtt.username = reader.nonEmptyString(pair.value, at: pair.path)
            case "password": mqtt.password = reader.string(pair.value, at: pair.path)
            case "topic-prefix": mqtt.topicPrefix = reader.nonEmptyString(pair.value, at: pair.path) ?? mqtt.topicPrefix
            case "client-id": mqtt.clientId = reader.nonEmptyString(pair.value, at: pair.path) ?? mqtt.clientId
            default: break
            }
        }
        return mqtt
    }

    /// A node's text for fingerprints (stable across runs for the same file content).
    static func render(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string
        case .sequence(let seq): return "[" + seq.map(render).joined(separator: ",") + "]"
        case .mapping(let map): return "{" + map.map { "\(render($0.key)):\(render($0.value))" }.joined(separator: ",") + "}"
        case .alias: return "*"
        }
    }
}
