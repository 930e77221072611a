import Foundation

/// The JSON form of a Connect error, `{"code": "...", "message": "..."}`, shared by unary error
/// bodies and the `error` member of a stream's end-of-stream message.
///
/// Unknown members (such as `details`) are ignored when reading; an unrecognised code reads as
/// ``ConnectError/Code/unknown``, as the protocol asks of clients.
struct ConnectErrorJSON: Codable, Sendable {
    var code: String
    var message: String?

    init(_ error: ConnectError) {
        code = error.code.rawValue
        message = error.message.isEmpty ? nil : error.message
    }

    var connectError: ConnectError {
        ConnectError(ConnectError.Code(rawValue: code) ?? .unknown, message ?? "")
    }
}

/// One encoder configuration for every JSON document this module writes: stable key order (so
/// bodies are byte-for-byte predictable) and no `\/` escaping.
enum ConnectJSON {
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and dictionaries of strings cannot fail.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}

extension ConnectError {
    /// The error as a unary error body: `{"code":"invalid_argument","message":"..."}`.
    public var jsonBody: Data {
        ConnectJSON.encode(ConnectErrorJSON(self))
    }

    /// Reads a unary error body; `nil` when `data` is not a Connect error (no string `code`).
    public init?(jsonBody data: Data) {
        guard let json = try? ConnectJSON.decode(ConnectErrorJSON.self, from: data) else { return nil }
        self = json.connectError
    }
}
