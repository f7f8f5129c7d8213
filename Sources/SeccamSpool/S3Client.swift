import Crypto
import Foundation

/// Where and how clips go in an S3-compatible store.
public struct S3Configuration: Sendable {
    public var bucket: String
    /// Key prefix (no leading or trailing slash), may be empty.
    public var prefix: String
    /// `http(s)://host[:port]` of the service.
    public var endpoint: URL
    public var region: String
    /// Path-style (`endpoint/bucket/key`) instead of virtual-host style (`bucket.endpoint/key`).
    public var pathStyle: Bool
    /// Object key template below the prefix: `{camera}`, `{date}` (UTC yyyy-MM-dd of the recording), `{file}`, `{id}`.
    public var keyTemplate: String = "{camera}/{date}/{file}"
    /// `x-amz-server-side-encryption` value (`AES256`, `aws:kms`), nil for none.
    public var serverSideEncryption: String?
    /// Clips larger than this use multipart upload, in parts of `partSize` bytes (≥ 5 MiB, S3's minimum).
    public var multipartThreshold: Int = 16 << 20
    public var partSize: Int = 8 << 20

    public init(bucket: String, prefix: String = "", endpoint: URL, region: String, pathStyle: Bool) {
        self.bucket = bucket
        self.prefix = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
    }

    /// Parses `s3://BUCKET[/PREFIX]`; without `endpoint` AWS's regional endpoint (virtual-host style) is used.
    /// - Throws: `.invalidInput` naming the bad value.
    public static func parse(target: String, endpoint: String?, region: String?, pathStyle: Bool) throws(SpoolError) -> S3Configuration {
        guard target.hasPrefix("s3://") else {
            throw SpoolError(.invalidInput, operation: "parsing target \(target)", reason: "expected s3://BUCKET/PREFIX")
        }
        let rest = target.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = String(rest.dropFirst(bucket.count))
        guard !bucket.isEmpty else { throw SpoolError(.invalidInput, operation: "parsing target \(target)", reason: "no bucket name") }
        let region = region ?? ProcessInfo.processInfo.environment["AWS_REGION"] ?? ProcessInfo.processInfo.environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpointText = endpoint ?? "https://s3.\(region).amazonaws.com"
        guard let url = URL(string: endpointText), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw SpoolError(.invalidInput, operation: "parsing endpoint \(endpointText)", reason: "expected http(s)://HOST[:PORT]")
        }
        return S3Configuration(bucket: bucket, prefix: prefix, endpoint: url, region: region, pathStyle: pathStyle)
    }

    /// The object key of an entry: prefix + the key template filled from the manifest.
    public func objectKey(for manifest: SpoolManifest) -> String {
        let camera = Self.keySegment(manifest.camera ?? "unknown")
        let filled = keyTemplate
            .replacingOccurrences(of: "{camera}", with: camera)
            .replacingOccurrences(of: "{date}", with: SpoolTime.day(manifest.recordedAt))
            .replacingOccurrences(of: "{file}", with: Self.keySegment(manifest.fileName))
            .replacingOccurrences(of: "{id}", with: manifest.id)
        return prefix.isEmpty ? filled : prefix + "/" + filled
    }

    /// A name usable as one key segment (no slashes, no control characters).
    static func keySegment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0 == "/" || $0.value < 0x20 || $0.value == 0x7f ? "_" : Character($0) })
    }

    /// The URL, `Host` header value and canonical path of an object (or of the bucket when `key` is nil).
    func address(key: String?) -> (url: String, host: String, path: String) {
        let scheme = endpoint.scheme ?? "https"
        var host = endpoint.host ?? ""
        if let port = endpoint.port { host += ":\(port)" }
        let basePath = endpoint.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        var segments: [String] = basePath.isEmpty ? [] : [basePath]
        if pathStyle { segments.append(S3Signer.uriEncode(bucket, encodeSlash: true)) } else { host = "\(bucket).\(host)" }
        if let key { segments.append(S3Signer.uriEncode(key, encodeSlash: false)) }
        let path = "/" + segments.joined(separator: "/")
        return ("\(scheme)://\(host)\(path)", host, path)
    }

    /// The object's URL (no credentials), for manifests and logs.
    public func objectURL(key: String) -> String { address(key: key).url }
}

/// A small S3 client over one ``CurlEasy``: PutObject, multipart upload, HEAD, GET and bucket creation.
/// Not thread-safe (one per uploader worker); blocking.
public final class S3Client {
    public let configuration: S3Configuration
    private let signer: S3Signer
    private let curl: CurlEasy

    init(configuration: S3Configuration, credentials: S3Credentials, curl: CurlEasy) {
        self.configuration = configuration
        self.signer = S3Signer(credentials: credentials, region: configuration.region)
        self.curl = curl
    }

    /// A client with its own connection.
    public convenience init(configuration: S3Configuration, credentials: S3Credentials,
                            options: TransferOptions = TransferOptions()) throws(SpoolError) {
        self.init(configuration: configuration, credentials: credentials, curl: try CurlEasy(options: options))
    }

    /// The server's view of an object (HEAD).
    public struct ObjectInfo: Sendable {
        public var size: Int
        public var etag: String?
        /// `x-amz-meta-*` headers, names without the prefix.
        public var metadata: [String: String]
    }

    /// Sends one signed request; non-2xx statuses become `.http` errors with the S3 `Code` and `Message`.
    @discardableResult
    func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
              body: HTTPRequest.Body = .none, payloadHash: String = S3Signer.emptyPayloadHash,
              downloadPath: String? = nil, operation: @autoclosure () -> String,
              accept: (Int) -> Bool = { (200..<300).contains($0) }) throws(SpoolError) -> HTTPResponse {
        let address = configuration.address(key: key)
        let signed = signer.sign(method: method, canonicalURI: address.path, query: query,
                                 headers: [("Host", address.host)] + headers, payloadHash: payloadHash, date: Date())
        var url = address.url
        if !query.isEmpty {
            url += "?" + query.map { $0.1.isEmpty && $0.0 == "uploads" ? "uploads" : "\(S3Signer.uriEncode($0.0, encodeSlash: true))=\(S3Signer.uriEncode($0.1, encodeSlash: true))" }
                .joined(separator: "&")
        }
        let request = HTTPRequest(method: method, url: url, headers: signed.headers, body: body, downloadPath: downloadPath)
        let response = try curl.perform(request, operation: operation())
        guard accept(response.status) else { throw Self.httpError(response, method: method, operation: operation()) }
        return response
    }

    /// An `.http` error from a response: status, S3 `Code`/`Message` from the XML body, `Retry-After`.
    static func httpError(_ response: HTTPResponse, method: String, operation: String) -> SpoolError {
        let body = String(decoding: response.body.prefix(64 << 10), as: UTF8.self)
        var code = XML.firstValue(of: "Code", in: body)
        var message = XML.firstValue(of: "Message", in: body)
        if code == nil, message == nil {
            let firstLine = body.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces)
            message = firstLine.map { String($0.prefix(200)) }
            if method == "HEAD", response.status == 404 { code = "NotFound" }
        }
        let retryAfter = response.headers["retry-after"].flatMap(Double.init)
        return SpoolError(.http, operation: operation, call: method, httpStatus: response.status, serverCode: code,
                          serverMessage: message, retryAfter: retryAfter)
    }

    /// The `x-amz-meta-*`, SSE and content headers of a new object.
    func objectHeaders(for manifest: SpoolManifest) -> [(String, String)] {
        var headers: [(String, String)] = [("Content-Type", Self.contentType(manifest.fileName))]
        if let sse = configuration.serverSideEncryption { headers.append(("x-amz-server-side-encryption", sse)) }
        headers += Self.metadataHeaders(for: manifest)
        return headers
    }

    /// `x-amz-meta-*`: sha256, camera, original name, entry id, and the event's scalar values (camelCase keys become
    /// `event-kebab-case`), ASCII only (others percent-encoded), within S3's 2 KB user-metadata limit.
    static func metadataHeaders(for manifest: SpoolManifest) -> [(String, String)] {
        var pairs: [(String, String)] = [("sha256", manifest.sha256), ("original-name", manifest.fileName), ("spool-id", manifest.id)]
        if let camera = manifest.camera { pairs.append(("camera", camera)) }
        let skipped: Set<String> = ["camera", "clip", "clipBytes", "clipSHA256", "thumbnail", "source"]
        var budget = 2000 - pairs.reduce(0) { $0 + $1.0.count + $1.1.count }
        for key in manifest.event.keys.sorted() where !skipped.contains(key) {
            let name = "event-" + kebab(key)
            let value = asciiHeaderValue(manifest.event[key]!)
            // Empty values carry nothing; skipping them also keeps the signed header list short.
            guard !value.isEmpty, name.count + value.count <= budget else { continue }
            budget -= name.count + value.count
            pairs.append((name, value))
        }
        return pairs.map { ("x-amz-meta-\($0.0)", asciiHeaderValue($0.1)) }
    }

    static func kebab(_ key: String) -> String {
        var out = ""
        for ch in key {
            if ch.isUppercase { out += "-" + ch.lowercased() } else if ch.isLetter || ch.isNumber { out.append(ch) } else { out += "-" }
        }
        return out
    }

    static func asciiHeaderValue(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "%") { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += String(format: "%%%02X", byte) }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    static func contentType(_ fileName: String) -> String {
        switch (fileName as NSString).pathExtension.lowercased() {
        case "mp4": return "video/mp4"
        case "mkv": return "video/x-matroska"
        case "jpg", "jpeg": return "image/jpeg"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }

    /// `Content-MD5` from lower-case hex.
    static func base64MD5(_ hex: String) -> String { Data(Hex.decode(hex) ?? []).base64EncodedString() }

    /// ETag without quotes, lower-case.
    static func normalizedETag(_ etag: String?) -> String? {
        etag.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased() }
    }

    // MARK: - Operations

    /// PutObject of a whole file (payload signed with the manifest's SHA-256, `Content-MD5` checked by the server).
    /// - Returns: the ETag.
    func putObject(key: String, file: String, manifest: SpoolManifest) throws(SpoolError) -> String? {
        let headers = objectHeaders(for: manifest) + [("Content-MD5", Self.base64MD5(manifest.md5))]
        let response = try send("PUT", key: key, headers: headers, body: .file(path: file, offset: 0, length: Int64(manifest.size)),
                                payloadHash: manifest.sha256, operation: "uploading \(manifest.id) to \(configuration.objectURL(key: key))")
        return Self.normalizedETag(response.headers["etag"])
    }

    /// CreateMultipartUpload. - Returns: the upload id.
    func createMultipartUpload(key: String, manifest: SpoolManifest) throws(SpoolError) -> String {
        let operation = "starting a multipart upload of \(manifest.id) to \(configuration.objectURL(key: key))"
        let response = try send("POST", key: key, query: [("uploads", "")], headers: objectHeaders(for: manifest), operation: operation)
        guard let id = XML.firstValue(of: "UploadId", in: String(decoding: response.body, as: UTF8.self)), !id.isEmpty else {
            throw SpoolError(.http, operation: operation, call: "POST", httpStatus: response.status, serverMessage: "no UploadId in the response")
        }
        return id
    }

    /// UploadPart from memory (signed with the part's SHA-256, `Content-MD5` checked). - Returns: the ETag.
    func uploadPart(key: String, uploadId: String, number: Int, data: Data, md5: String, sha256: String, entry: String) throws(SpoolError) -> String {
        let operation = "uploading part \(number) of \(entry) to \(configuration.objectURL(key: key))"
        let response = try send("PUT", key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadId)],
                                headers: [("Content-MD5", Self.base64MD5(md5))], body: .data(data), payloadHash: sha256,
                                operation: operation)
        guard let etag = Self.normalizedETag(response.headers["etag"]) else {
            throw SpoolError(.verification, operation: operation, reason: "the server sent no ETag for the part")
        }
        return etag
    }

    /// CompleteMultipartUpload. - Returns: the object's ETag.
    func completeMultipartUpload(key: String, uploadId: String, parts: [SpoolManifest.MultipartState.Part], entry: String) throws(SpoolError) -> String? {
        var xml = "<CompleteMultipartUpload>"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(part.etag)\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Data(xml.utf8)
        let operation = "completing the multipart upload of \(entry) to \(configuration.objectURL(key: key))"
        let response = try send("POST", key: key, query: [("uploadId", uploadId)], headers: [("Content-Type", "application/xml")],
                                body: .data(body), payloadHash: Hex.encode(SHA256.hash(data: body)), operation: operation)
        // S3 can answer 200 with an <Error> body when completion fails late.
        let text = String(decoding: response.body, as: UTF8.self)
        if text.contains("<Error>") {
            throw SpoolError(.http, operation: operation, call: "POST", httpStatus: response.status,
                             serverCode: XML.firstValue(of: "Code", in: text), serverMessage: XML.firstValue(of: "Message", in: text))
        }
        return Self.normalizedETag(XML.firstValue(of: "ETag", in: text) ?? response.headers["etag"])
    }

    /// AbortMultipartUpload (404 NoSuchUpload counts as done).
    func abortMultipartUpload(key: String, uploadId: String, entry: String) throws(SpoolError) {
        try send("DELETE", key: key, query: [("uploadId", uploadId)],
                 operation: "aborting the multipart upload of \(entry) at \(configuration.objectURL(key: key))",
                 accept: { (200..<300).contains($0) || $0 == 404 })
    }

    /// HEAD of an object; nil when it does not exist.
    public func headObject(key: String, operation: @autoclosure () -> String = "checking an object") throws(SpoolError) -> ObjectInfo? {
        let response = try send("HEAD", key: key, operation: operation(), accept: { (200..<300).contains($0) || $0 == 404 })
        guard response.status != 404 else { return nil }
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") { metadata[String(name.dropFirst(11))] = value }
        return ObjectInfo(size: Int(response.headers["content-length"] ?? "") ?? -1, etag: Self.normalizedETag(response.headers["etag"]),
                          metadata: metadata)
    }

    /// GET of an object into a file.
    public func getObject(key: String, to path: String) throws(SpoolError) {
        try send("GET", key: key, downloadPath: path, operation: "downloading \(configuration.objectURL(key: key))")
    }

    /// Keys under a prefix (ListObjectsV2, one page of up to 1000; enough for tests and checks).
    public func listKeys(prefix: String) throws(SpoolError) -> [String] {
        let response = try send("GET", key: nil, query: [("list-type", "2"), ("prefix", prefix)], operation: "listing \(configuration.objectURL(key: prefix))")
        return XML.allValues(of: "Key", in: String(decoding: response.body, as: UTF8.self))
    }

    /// CreateBucket (an existing bucket of ours is fine).
    public func createBucket() throws(SpoolError) {
        try send("PUT", key: nil, operation: "creating bucket \(configuration.bucket)",
                 accept: { (200..<300).contains($0) || $0 == 409 })
    }
}

/// Just enough XML for S3's small documents: values of simple elements.
enum XML {
    static func firstValue(of element: String, in text: String) -> String? { allValues(of: element, in: text).first }

    static func allValues(of element: String, in text: String) -> [String] {
        var values: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(element)>") {
            guard let close = rest.range(of: "</\(element)>", range: open.upperBound..<rest.endIndex) else { break }
            values.append(unescape(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return values
    }

    static func unescape(_ text: String) -> String {
        var text = text
        // Numeric character references (SeaweedFS writes the ETag's quotes as &#34;).
        while let start = text.range(of: "&#"), let end = text.range(of: ";", range: start.upperBound..<text.endIndex) {
            let digits = text[start.upperBound..<end.lowerBound]
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let scalar = Unicode.Scalar(value) else { break }
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: String(Character(scalar)))
        }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
