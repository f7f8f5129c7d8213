import Foundation

/// The JSON manifest of one spool entry (`<state>/<id>/manifest.json`): what the clip is, how to check it,
/// and where its upload stands. It never holds credentials: only the object key and the multipart upload id,
/// which are useless without the keys.
public struct SpoolManifest: Codable, Sendable, Equatable {
    /// Format version of this file.
    public var version: Int = 1
    /// Entry id, also its folder name: `<UTC yyyyMMdd'T'HHmmss.SSS'Z'>-<8 hex>`, so names sort oldest first.
    public var id: String
    /// The clip's file name when it was enqueued (the object key's `{file}`); the clip is stored under this name.
    public var fileName: String
    /// Camera name (`{camera}` in the key template), from the sidecar or the caller.
    public var camera: String?
    /// When the clip was recorded (its modification time at enqueue) and when it was enqueued.
    public var recordedAt: Date
    public var enqueuedAt: Date
    /// Event metadata copied from the clip's JSON sidecar (scalars only, as strings), sent as `x-amz-meta-*`.
    public var event: [String: String]
    /// The sidecar's file name, when one was enqueued with the clip (kept in the entry as `sidecar.json`).
    public var sidecarFileName: String?
    /// Clip size in bytes, its SHA-256 and MD5 (lower-case hex), computed at enqueue.
    public var size: Int
    public var sha256: String
    public var md5: String
    /// Upload attempts so far, when the next may start (nil: now), the last failure (credentials never included).
    public var attempts: Int = 0
    public var lastAttemptAt: Date?
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// The object key, fixed at the first attempt so that retries and restarts never upload under another name.
    public var objectKey: String?
    /// The multipart upload in progress, if any (resumed after a restart).
    public var multipart: MultipartState?
    /// Set when the server confirmed the object: when, the ETag it reported and how it was confirmed.
    public var deliveredAt: Date?
    public var remoteETag: String?
    public var confirmation: String?
    /// Where the object is (target URL without credentials), once delivered.
    public var remoteURL: String?

    public init(id: String, fileName: String, camera: String?, recordedAt: Date, enqueuedAt: Date, event: [String: String],
                sidecarFileName: String? = nil, size: Int, sha256: String, md5: String) {
        self.id = id
        self.fileName = fileName
        self.camera = camera
        self.recordedAt = recordedAt
        self.enqueuedAt = enqueuedAt
        self.event = event
        self.sidecarFileName = sidecarFileName
        self.size = size
        self.sha256 = sha256
        self.md5 = md5
    }

    /// A multipart upload: its id, part size, and the parts the server has acknowledged.
    public struct MultipartState: Codable, Sendable, Equatable {
        public var uploadId: String
        public var key: String
        public var partSize: Int
        public var parts: [Part]
        public struct Part: Codable, Sendable, Equatable {
            public var number: Int
            public var size: Int
            public var etag: String
            public init(number: Int, size: Int, etag: String) {
                self.number = number
                self.size = size
                self.etag = etag
            }
        }
        public init(uploadId: String, key: String, partSize: Int, parts: [Part]) {
            self.uploadId = uploadId
            self.key = key
            self.partSize = partSize
            self.parts = parts
        }
    }

    /// Decodes a manifest file (dates as ISO 8601 with milliseconds).
    static func read(from path: String) throws(SpoolError) -> SpoolManifest {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SpoolError(.io, operation: "reading manifest \(path)", reason: "\(error.localizedDescription)")
        }
        do { return try decoder.decode(SpoolManifest.self, from: data) } catch {
            throw SpoolError(.invalidInput, operation: "decoding manifest \(path)", reason: "\(error)")
        }
    }

    /// Encodes the manifest (pretty, sorted keys).
    func encoded() -> Data {
        // Encoding plain values cannot fail.
        (try? SpoolManifest.encoder.encode(self)) ?? Data()
    }

    /// The manifest as it reads back from its file (times rounded to milliseconds).
    func roundTripped() throws(SpoolError) -> SpoolManifest {
        do { return try Self.decoder.decode(SpoolManifest.self, from: encoded()) } catch {
            throw SpoolError(.invalidInput, operation: "encoding manifest \(id)", reason: "\(error)")
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(SpoolTime.format(date))
        }
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = SpoolTime.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
            }
            return date
        }
        return decoder
    }
}

/// ISO 8601 UTC times with milliseconds, as in manifests ("2026-11-25T13:36:00.123Z").
enum SpoolTime {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `yyyyMMdd'T'HHmmss.SSS'Z'` for entry ids (sorts like time).
    static func compact(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(t)) * 1000) % 1000
        return String(format: "%04d%02d%02dT%02d%02d%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// `yyyy-MM-dd` (UTC) for the key template's `{date}`.
    static func day(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }
}
