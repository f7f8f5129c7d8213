import Crypto
import Foundation

/// Where the uploader sends clips.
public enum UploadTarget: Sendable {
    /// An S3-compatible store (AWS, MinIO, SeaweedFS, B2, Wasabi), SigV4-signed.
    case s3(S3Configuration, S3Credentials)
    /// A plain HTTP(S) endpoint: PUT to `base/key`, or a multipart/form-data POST.
    case http(HTTPTargetConfiguration)

    /// The target as text without credentials, for logs.
    public var displayName: String {
        switch self {
        case .s3(let c, _): return "s3://\(c.bucket)/\(c.prefix) at \(c.endpoint.absoluteString)"
        case .http(let c): return c.baseURL.absoluteString
        }
    }
}

/// An HTTP upload target.
public struct HTTPTargetConfiguration: Sendable {
    public enum Method: String, Sendable { case put, postForm = "post-form" }
    /// PUT goes to `baseURL/<key>`; a form POST goes to `baseURL` itself with the key as the file name field.
    public var baseURL: URL
    public var method: Method = .put
    /// Extra request headers (sent as is, never logged).
    public var headers: [String: String] = [:]
    /// Sent as `Authorization: Bearer <token>`; never logged or stored.
    public var bearerToken: String?
    public var keyTemplate: String = "{camera}/{date}/{file}"

    public init(baseURL: URL, method: Method = .put, headers: [String: String] = [:], bearerToken: String? = nil) {
        self.baseURL = baseURL
        self.method = method
        self.headers = headers
        self.bearerToken = bearerToken
    }

    func objectKey(for manifest: SpoolManifest) -> String {
        var configuration = S3Configuration(bucket: "x", endpoint: baseURL, region: "", pathStyle: true)
        configuration.keyTemplate = keyTemplate
        return configuration.objectKey(for: manifest)
    }

    func objectURL(key: String) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return method == .put ? base + "/" + S3Signer.uriEncode(key, encodeSlash: false) : base
    }
}

/// A confirmed delivery.
struct Delivery {
    var url: String
    var etag: String?
    /// How the server confirmed it: `etag-md5`, `etag-multipart`, `head-size`, `already-present`, `status`.
    var confirmation: String
}

/// One worker's connection to the target.
protocol Destination: AnyObject {
    /// Uploads the entry's clip and returns once the server has confirmed it. Progress (object key, multipart
    /// parts) is recorded in `entry.manifest` and saved through `save` as it happens.
    func deliver(_ entry: inout SpoolEntry, save: (SpoolEntry) throws(SpoolError) -> Void) throws(SpoolError) -> Delivery
    /// Gives up on an entry: aborts a multipart upload in progress (best effort) and forgets it.
    func abandon(_ entry: inout SpoolEntry)
}

/// S3 delivery: PutObject for small clips, resumable multipart upload for large ones, confirmed by ETag or HEAD.
final class S3Destination: Destination {
    let client: S3Client
    var configuration: S3Configuration { client.configuration }

    init(client: S3Client) { self.client = client }

    func deliver(_ entry: inout SpoolEntry, save: (SpoolEntry) throws(SpoolError) -> Void) throws(SpoolError) -> Delivery {
        let key: String
        if let fixed = entry.manifest.objectKey { key = fixed } else {
            key = configuration.objectKey(for: entry.manifest)
            entry.manifest.objectKey = key
            try save(entry)
        }
        let url = configuration.objectURL(key: key)
        let manifest = entry.manifest
        // A retry may follow an upload whose confirmation was lost (crash, reset after the server stored it):
        // if the object is there with our size and SHA-256, it is delivered, and nothing is uploaded twice.
        if manifest.attempts > 1 || manifest.multipart != nil {
            if let existing = try client.headObject(key: key, operation: "checking \(url) for \(manifest.id)"),
               existing.size == manifest.size, existing.metadata["sha256"] == manifest.sha256 {
                if let multipart = entry.manifest.multipart {
                    try? client.abortMultipartUpload(key: multipart.key, uploadId: multipart.uploadId, entry: manifest.id)
                    entry.manifest.multipart = nil
                }
                return Delivery(url: url, etag: existing.etag, confirmation: "already-present")
            }
        }
        // A multipart upload in progress is resumed even if the threshold changed since it started.
        if manifest.size <= configuration.multipartThreshold && manifest.multipart == nil {
            let etag = try client.putObject(key: key, file: entry.clipPath, manifest: manifest)
            if etag == manifest.md5 { return Delivery(url: url, etag: etag, confirmation: "etag-md5") }
            return try confirmBySize(key: key, manifest: manifest, etag: etag)
        }
        return try deliverMultipart(&entry, key: key, save: save)
    }

    private func deliverMultipart(_ entry: inout SpoolEntry, key: String, save: (SpoolEntry) throws(SpoolError) -> Void) throws(SpoolError) -> Delivery {
        let manifest = entry.manifest
        if entry.manifest.multipart == nil || entry.manifest.multipart?.key != key {
            let uploadId = try client.createMultipartUpload(key: key, manifest: manifest)
            entry.manifest.multipart = .init(uploadId: uploadId, key: key, partSize: max(5 << 20, configuration.partSize), parts: [])
            try save(entry)
        }
        let partSize = entry.manifest.multipart!.partSize
        let uploadId = entry.manifest.multipart!.uploadId
        let count = (manifest.size + partSize - 1) / partSize
        let fd = open(entry.clipPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("reading \(entry.clipPath)", call: "open") }
        defer { close(fd) }
        for number in 1...count where !(entry.manifest.multipart!.parts.contains { $0.number == number }) {
            let offset = (number - 1) * partSize
            let length = min(partSize, manifest.size - offset)
            var data = Data(count: length)
            let got = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(offset)) }
            guard got == length else { throw .io("reading part \(number) of \(entry.clipPath)", call: "pread") }
            let md5 = Hex.encode(Insecure.MD5.hash(data: data))
            let sha = Hex.encode(SHA256.hash(data: data))
            let etag: String
            do {
                etag = try client.uploadPart(key: key, uploadId: uploadId, number: number, data: data, md5: md5, sha256: sha, entry: manifest.id)
            } catch where error.serverCode == "NoSuchUpload" {
                // The upload was aborted or expired on the server: start over on the next attempt.
                entry.manifest.multipart = nil
                try save(entry)
                throw error
            }
            guard etag == md5 else {
                throw SpoolError(.verification, operation: "uploading part \(number) of \(manifest.id) to \(configuration.objectURL(key: key))",
                                 reason: "the server's ETag \(etag) is not the part's MD5 \(md5)")
            }
            entry.manifest.multipart!.parts.append(.init(number: number, size: length, etag: etag))
            try save(entry)
        }
        let parts = entry.manifest.multipart!.parts
        let etag: String?
        do {
            etag = try client.completeMultipartUpload(key: key, uploadId: uploadId, parts: parts, entry: manifest.id)
        } catch where error.serverCode == "NoSuchUpload" || error.serverCode == "InvalidPart" {
            entry.manifest.multipart = nil
            try save(entry)
            throw error
        }
        entry.manifest.multipart = nil
        let md5s = parts.sorted { $0.number < $1.number }.flatMap { Hex.decode($0.etag) ?? [] }
        let expected = Hex.encode(Insecure.MD5.hash(data: Data(md5s))) + "-\(parts.count)"
        let url = configuration.objectURL(key: key)
        if etag == expected {
            // The ETag proves the parts; HEAD proves the size of what was assembled.
            let delivery = try confirmBySize(key: key, manifest: manifest, etag: etag)
            return Delivery(url: url, etag: etag, confirmation: "etag-multipart+" + delivery.confirmation)
        }
        return try confirmBySize(key: key, manifest: manifest, etag: etag)
    }

    private func confirmBySize(key: String, manifest: SpoolManifest, etag: String?) throws(SpoolError) -> Delivery {
        let url = configuration.objectURL(key: key)
        guard let info = try client.headObject(key: key, operation: "confirming \(url) for \(manifest.id)") else {
            throw SpoolError(.verification, operation: "confirming \(url) for \(manifest.id)", reason: "the object is missing after the upload")
        }
        guard info.size == manifest.size else {
            throw SpoolError(.verification, operation: "confirming \(url) for \(manifest.id)",
                             reason: "the server has \(info.size) bytes, the clip has \(manifest.size)")
        }
        return Delivery(url: url, etag: etag ?? info.etag, confirmation: "head-size")
    }

    func abandon(_ entry: inout SpoolEntry) {
        guard let multipart = entry.manifest.multipart else { return }
        try? client.abortMultipartUpload(key: multipart.key, uploadId: multipart.uploadId, entry: entry.id)
        entry.manifest.multipart = nil
    }
}

/// HTTP delivery: PUT with `Content-MD5` (or a form POST), confirmed by an ETag equal to the MD5, or a HEAD with the
/// right `Content-Length`; a server that supports neither confirms by its 2xx status alone (`status`).
final class HTTPDestination: Destination {
    let configuration: HTTPTargetConfiguration
    let curl: CurlEasy

    init(configuration: HTTPTargetConfiguration, curl: CurlEasy) {
        self.configuration = configuration
        self.curl = curl
    }

    private var commonHeaders: [(String, String)] {
        var headers = configuration.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let token = configuration.bearerToken { headers.append(("Authorization", "Bearer \(token)")) }
        return headers
    }

    func deliver(_ entry: inout SpoolEntry, save: (SpoolEntry) throws(SpoolError) -> Void) throws(SpoolError) -> Delivery {
        let key: String
        if let fixed = entry.manifest.objectKey { key = fixed } else {
            key = configuration.objectKey(for: entry.manifest)
            entry.manifest.objectKey = key
            try save(entry)
        }
        let manifest = entry.manifest
        let url = configuration.objectURL(key: key)
        let operation = "uploading \(manifest.id) to \(url)"
        var headers = commonHeaders + [("Content-MD5", S3Client.base64MD5(manifest.md5)), ("X-Seccam-SHA256", manifest.sha256)]
        headers += S3Client.metadataHeaders(for: manifest).map { ("X-Seccam-Meta-" + $0.0.dropFirst("x-amz-meta-".count), $0.1) }
        let request: HTTPRequest
        switch configuration.method {
        case .put:
            headers.append(("Content-Type", S3Client.contentType(manifest.fileName)))
            request = HTTPRequest(method: "PUT", url: url, headers: headers,
                                  body: .file(path: entry.clipPath, offset: 0, length: Int64(manifest.size)))
        case .postForm:
            request = HTTPRequest(method: "POST", url: url, headers: headers,
                                  body: .form(file: entry.clipPath, fileName: key, fields: ["sha256": manifest.sha256, "size": "\(manifest.size)"]))
        }
        let response = try curl.perform(request, operation: operation)
        guard (200..<300).contains(response.status) else { throw S3Client.httpError(response, method: request.method, operation: operation) }
        let etag = S3Client.normalizedETag(response.headers["etag"])
        if etag == manifest.md5 { return Delivery(url: url, etag: etag, confirmation: "etag-md5") }
        guard configuration.method == .put else { return Delivery(url: url, etag: etag, confirmation: "status") }
        let head = try curl.perform(HTTPRequest(method: "HEAD", url: url, headers: commonHeaders), operation: "confirming \(url) for \(manifest.id)")
        if (200..<300).contains(head.status), let length = head.headers["content-length"].flatMap(Int.init) {
            guard length == manifest.size else {
                throw SpoolError(.verification, operation: "confirming \(url) for \(manifest.id)",
                                 reason: "the server has \(length) bytes, the clip has \(manifest.size)")
            }
            return Delivery(url: url, etag: etag, confirmation: "head-size")
        }
        return Delivery(url: url, etag: etag, confirmation: "status")
    }

    func abandon(_ entry: inout SpoolEntry) {}
}
