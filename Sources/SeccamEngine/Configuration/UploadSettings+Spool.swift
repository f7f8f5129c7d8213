import Foundation

extension UploadSettings {
    /// The spool uploader's target: S3 (credentials from the config, else the environment) or HTTP.
    /// - Throws: ``SpoolError`` naming the problem (bad target, missing credentials).
    public func makeTarget(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SpoolError) -> UploadTarget {
        if target.hasPrefix("s3://") {
            var s3 = try S3Configuration.parse(target: target, endpoint: endpoint, region: region, pathStyle: pathStyle)
            s3.keyTemplate = keyTemplate
            s3.serverSideEncryption = serverSideEncryption
            let credentials: S3Credentials
            if let accessKeyID, let secretAccessKey {
                credentials = S3Credentials(accessKeyId: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
            } else {
                credentials = try S3Credentials.fromEnvironment(environment)
            }
            return .s3(s3, credentials)
        }
        guard let url = URL(string: target) else {
            throw SpoolError(.invalidInput, operation: "reading upload.target", reason: "not a URL: \(SourceURL.redact(target))")
        }
        var http = HTTPTargetConfiguration(baseURL: url, bearerToken: bearerToken)
        http.keyTemplate = keyTemplate
        return .http(http)
    }

    /// The uploader's own settings (workers, bandwidth cap).
    public var uploaderConfiguration: UploaderConfiguration {
        var configuration = UploaderConfiguration()
        configuration.concurrency = concurrency
        configuration.maxBytesPerSecond = maxBytesPerSecond ?? 0
        return configuration
    }
}

extension WebhookSettings {
    /// The notifier's configuration.
    public var notifierConfiguration: WebhookConfiguration? {
        URL(string: url).map { WebhookConfiguration(url: $0, secret: secret) }
    }
}
