import HTTPTypes
import Hummingbird
import NIOCore
import SwiftProtobuf

/// Checks shared by unary and streaming requests, each failing with the Connect error the
/// protocol calls for.
enum ConnectRequestValidation {
    /// `Connect-Protocol-Version` is optional, but when sent it must be `1`.
    static func checkProtocolVersion(_ headers: HTTPFields) throws(ConnectError) {
        guard let version = headers[.connectProtocolVersion] else { return }
        guard version.trimmedASCIIWhitespace() == "1" else {
            throw ConnectError(.invalidArgument,
                               "connect-protocol-version must be \"1\", got \"\(version)\"")
        }
    }

    /// The caller's timeout from `Connect-Timeout-Ms`, if present and well-formed.
    static func timeout(_ headers: HTTPFields) throws(ConnectError) -> Duration? {
        guard let value = headers[.connectTimeoutMs] else { return nil }
        guard let timeout = ConnectTimeout.parse(value) else {
            throw ConnectError(.invalidArgument,
                               "connect-timeout-ms must be a positive integer of at most 10 digits, got \"\(value)\"")
        }
        return timeout
    }

    /// Reads the whole request body, refusing more than `limit` bytes with `resource_exhausted`.
    static func collectBody(_ request: inout Request, limit: Int, what: String) async throws(ConnectError) -> ByteBuffer {
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw ConnectError(.resourceExhausted, "\(what) exceeds the limit of \(limit) bytes")
        } catch {
            throw ConnectError(.unavailable, "could not read the request body: \(error)")
        }
    }

    /// The message in `buffer`, or `invalid_argument` describing why it cannot be parsed.
    static func decode<Input: Message>(_ type: Input.Type, from buffer: ByteBuffer,
                                       codec: ConnectCodec) throws(ConnectError) -> Input {
        do {
            return try codec.decode(type, from: buffer)
        } catch {
            let what = codec == .json ? "JSON" : "protobuf"
            throw ConnectError(.invalidArgument,
                               "malformed \(what) request for \(Input.protoMessageName): \(error)")
        }
    }
}
