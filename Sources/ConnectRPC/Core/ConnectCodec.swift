import NIOCore
import SwiftProtobuf

/// How messages are serialised on the wire: proto3 JSON or binary protobuf.
///
/// JSON follows the proto3 JSON mapping through SwiftProtobuf: lowerCamelCase names when writing
/// (both spellings accepted when reading), fields with default values omitted, and unknown fields
/// ignored when reading so that older peers tolerate newer schemas.
public enum ConnectCodec: String, Sendable, Hashable, CaseIterable {
    case json
    case proto

    /// `Content-Type` of unary requests and responses: `application/json` or `application/proto`.
    public var unaryContentType: String { "application/\(rawValue)" }

    /// `Content-Type` of streaming calls: `application/connect+json` or `application/connect+proto`.
    public var streamContentType: String { "application/connect+\(rawValue)" }

    /// Serialises `message`. Fails only for messages SwiftProtobuf cannot render (for example an
    /// `Any` whose type is not registered).
    public func encode(_ message: some Message) throws -> ByteBuffer {
        switch self {
        case .json:
            let bytes: [UInt8] = try message.jsonUTF8Bytes(options: Self.jsonEncodingOptions)
            return ByteBuffer(bytes: bytes)
        case .proto:
            let bytes: [UInt8] = try message.serializedBytes()
            return ByteBuffer(bytes: bytes)
        }
    }

    /// Parses a message of type `type` from `buffer`; the thrown error describes what is wrong.
    public func decode<M: Message>(_ type: M.Type, from buffer: ByteBuffer) throws -> M {
        let bytes = Array(buffer.readableBytesView)
        switch self {
        case .json:
            return try M(jsonUTF8Bytes: bytes, options: Self.jsonDecodingOptions)
        case .proto:
            return try M(serializedBytes: bytes)
        }
    }

    static let jsonEncodingOptions: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = false
        return options
    }()

    static let jsonDecodingOptions: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()
}
