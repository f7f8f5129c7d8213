import Foundation

/// A labelled stretch of video where something that should be detected happens, in seconds from the
/// start of the video (the first frame is 0 s; for constant-frame-rate video frame N is at N / fps).
public struct LabelledInterval: Sendable, Codable, Equatable {
    public var start: Double
    public var end: Double
    /// Free text from the label file (`"note"`), if any.
    public var note: String?

    public init(start: Double, end: Double, note: String? = nil) {
        self.start = start
        self.end = end
        self.note = note
    }
}

/// Ground-truth label files for `tune --truth` (format: `Fixtures/labels/README.md`).
///
/// The file is a JSON list of `{"start": T, "end": T}` objects, or an object whose `"labels"` key holds that
/// list (other keys, such as `"video"`, are free for notes). T is seconds as a JSON number (`12.5`) or a
/// string: `"12.5s"`, `"12.5"` or `"HH:MM:SS[.nnn]"`. `end` must be after `start`. An optional `"note"`
/// string is kept.
public enum TuningLabels {
    /// Reads a label file.
    /// - Throws: ``LabelFileError`` naming the file, the label's index (`labels[2]`, 0-based) and the field.
    public static func load(path: String) throws(LabelFileError) -> [LabelledInterval] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LabelFileError("\(path): cannot read label file (\(error.localizedDescription))")
        }
        return try parse(data, source: path)
    }

    /// Parses label JSON; `source` names it in errors.
    public static func parse(_ data: Data, source: String) throws(LabelFileError) -> [LabelledInterval] {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw LabelFileError("\(source): not valid JSON (\(Self.describe(error)))")
        }
        let list: [JSONValue]
        switch root {
        case .array(let items):
            list = items
        case .object(let fields):
            guard case .array(let items)? = fields["labels"] else {
                throw LabelFileError("\(source): expected a list of {\"start\", \"end\"} objects, or an object with a \"labels\" list")
            }
            list = items
        default:
            throw LabelFileError("\(source): expected a list of {\"start\", \"end\"} objects, got \(root.kind)")
        }
        var labels: [LabelledInterval] = []
        for (index, item) in list.enumerated() {
            let at = "\(source): labels[\(index)]"
            guard case .object(let fields) = item else { throw LabelFileError("\(at): expected an object with \"start\" and \"end\", got \(item.kind)") }
            func time(_ field: String) throws(LabelFileError) -> Double {
                guard let value = fields[field] else { throw LabelFileError("\(at): missing \"\(field)\"") }
                let seconds: Double
                switch value {
                case .number(let v):
                    seconds = v
                case .string(let text):
                    guard let v = Self.seconds(text) else {
                        throw LabelFileError("\(at).\(field): cannot read \"\(text)\" as a time (expected seconds like 12.5 or \"12.5s\", or \"HH:MM:SS[.nnn]\")")
                    }
                    seconds = v
                default:
                    throw LabelFileError("\(at).\(field): expected seconds (a number) or a time string, got \(value.kind)")
                }
                guard seconds.isFinite, seconds >= 0 else {
                    throw LabelFileError("\(at).\(field): must be 0 or more, got \(seconds)")
                }
                return seconds
            }
            let start = try time("start"), end = try time("end")
            guard end > start else {
                throw LabelFileError("\(at).end: \(end) s is not after start \(start) s")
            }
            var note: String?
            if let value = fields["note"] {
                guard case .string(let text) = value else { throw LabelFileError("\(at).note: expected a string, got \(value.kind)") }
                note = text
            }
            labels.append(LabelledInterval(start: start, end: end, note: note))
        }
        return labels
    }

    /// `"12.5s"`, `"12.5"` or `"HH:MM:SS[.nnn]"` in seconds; nil otherwise.
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.contains(":"), !trimmed.hasSuffix("s") {
            // A bare number is seconds here (never frames).
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(trimmed) else { return nil }
            return v
        }
        guard let spec = try? TimeSpec.parse(trimmed), case .seconds(let v) = spec else { return nil }
        return v
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// A bad label file: names the file, the label index and the field.
public struct LabelFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Any JSON value, for precise error messages about label files.
private enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "true/false"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
