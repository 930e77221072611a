import Foundation

/// One line of a watch: `{"type": ..., "object": ...}`.
///
/// A `BOOKMARK`'s object is not a valid Pod (`"spec":{"containers":null}`, no name): only its
/// `metadata.resourceVersion` is read. An `ERROR`'s object is a `Status` (a too-old
/// resourceVersion arrives as one with `code` 410, on an HTTP 200 stream).
public enum WatchEvent: Sendable, Equatable {
    case added(PodObject)
    case modified(PodObject)
    case deleted(PodObject)
    case bookmark(resourceVersion: String)
    case error(KubernetesStatus)

    private struct Envelope<Object: Decodable>: Decodable {
        var type: String
        var object: Object
    }

    private struct Kind: Decodable {
        var type: String
    }

    private struct Bookmark: Decodable {
        struct Metadata: Decodable { var resourceVersion: String? }
        var metadata: Metadata
    }

    /// Decodes one line; an unknown `type` is an error naming it.
    public static func decode(_ line: Data) throws -> WatchEvent {
        let decoder = JSONDecoder()
        let type = try decoder.decode(Kind.self, from: line).type
        switch type {
        case "ADDED": return .added(try decoder.decode(Envelope<PodObject>.self, from: line).object)
        case "MODIFIED": return .modified(try decoder.decode(Envelope<PodObject>.self, from: line).object)
        case "DELETED": return .deleted(try decoder.decode(Envelope<PodObject>.self, from: line).object)
        case "BOOKMARK": return .bookmark(resourceVersion: try decoder.decode(Envelope<Bookmark>.self, from: line).object.metadata.resourceVersion ?? "")
        case "ERROR": return .error(try decoder.decode(Envelope<KubernetesStatus>.self, from: line).object)
        default:
            throw KubernetesAPIError(code: 0, reason: "", message: "unknown watch event type \"\(type)\"", request: "watch")
        }
    }
}

/// Splits a watch body into lines as its chunks arrive (a line may span chunks, a chunk may hold
/// several lines). A line longer than `maximumLine` is an error rather than unbounded memory.
struct LineSplitter {
    let maximumLine: Int
    private var pending: [UInt8] = []

    init(maximumLine: Int) {
        self.maximumLine = maximumLine
    }

    /// The complete lines `chunk` ends (blank ones skipped), keeping the rest for the next chunk.
    mutating func lines(in chunk: some Sequence<UInt8>) throws -> [Data] {
        var lines: [Data] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if !pending.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { lines.append(Data(pending)) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count > maximumLine {
                    throw KubernetesAPIError(code: 0, reason: "", message: "a watch event is longer than \(maximumLine) bytes", request: "watch")
                }
            }
        }
        return lines
    }

    /// What is left once the body ended: a last line without a newline.
    func remainder() -> Data? {
        pending.isEmpty ? nil : Data(pending)
    }
}
