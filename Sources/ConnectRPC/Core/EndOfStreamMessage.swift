import Foundation
import NIOCore

/// The payload of a stream's final envelope: `{}` on success,
/// `{"error": {"code": "...", "message": "..."}}` on failure, plus optional `"metadata"` (the
/// stream's trailers, each name mapping to a list of values). Always JSON, even with the proto
/// codec.
public struct EndOfStreamMessage: Sendable, Equatable {
    public var error: ConnectError?
    public var metadata: [String: [String]]

    public init(error: ConnectError? = nil, metadata: [String: [String]] = [:]) {
        self.error = error
        self.metadata = metadata
    }

    private struct JSON: Codable {
        var error: ConnectErrorJSON?
        var metadata: [String: [String]]?
    }

    /// The JSON payload, e.g. `{}` or `{"error":{"code":"not_found","message":"..."}}`.
    public var jsonPayload: ByteBuffer {
        let json = JSON(error: error.map(ConnectErrorJSON.init), metadata: metadata.isEmpty ? nil : metadata)
        return ByteBuffer(bytes: ConnectJSON.encode(json))
    }

    /// The end-of-stream envelope carrying ``jsonPayload``.
    public var envelope: ConnectEnvelope {
        ConnectEnvelope(flags: .endStream, payload: jsonPayload)
    }

    /// The end-of-stream envelope, compressed like the stream's other envelopes when large enough.
    func envelope(compressor: ConnectMessageCompressor) -> ConnectEnvelope {
        compressor.envelope(jsonPayload, flags: .endStream)
    }

    /// Parses an end-of-stream payload.
    /// - Throws: ``ConnectError/Code/internal`` when the payload is not the expected JSON.
    public init(jsonPayload: ByteBuffer) throws(ConnectError) {
        do {
            let json = try ConnectJSON.decode(JSON.self, from: Data(jsonPayload.readableBytesView))
            self.init(error: json.error?.connectError, metadata: json.metadata ?? [:])
        } catch {
            throw ConnectError(.internal, "malformed end-of-stream message: \(error)")
        }
    }
}
