import NIOCore
import SwiftProtobuf

/// The response side of a server-streaming call, handed to the handler.
///
/// ``send(_:)`` encodes the message with the call's codec, frames it in an envelope (compressed
/// when the client accepts a compression and the message is large enough) and returns
/// once it has been written and flushed to the client. It throws ``ConnectError`` with code
/// `canceled` when the client has gone away, the deadline passed, or the handler already returned.
public struct ConnectServerStream<Output: Message>: Sendable {
    /// The codec of this call (from the request's `Content-Type`).
    public let codec: ConnectCodec
    /// The response compression negotiated for this call (messages below its threshold stay
    /// uncompressed).
    let compressor: ConnectMessageCompressor
    let outbox: EnvelopeOutbox

    init(codec: ConnectCodec, compressor: ConnectMessageCompressor = .none, outbox: EnvelopeOutbox) {
        self.codec = codec
        self.compressor = compressor
        self.outbox = outbox
    }

    /// Sends one response message.
    public func send(_ message: Output) async throws {
        let payload = try codec.encode(message)
        try await outbox.send(compressor.envelope(payload).framed)
    }

    /// Sends several messages in one write and one flush (one envelope each, in order): a
    /// handler that has a batch ready saves a round through the writer per message.
    public func send(contentsOf messages: some Sequence<Output>) async throws {
        var frames = ByteBuffer()
        for message in messages {
            compressor.envelope(try codec.encode(message)).write(into: &frames)
        }
        guard frames.readableBytes > 0 else { return }
        try await outbox.send(frames)
    }
}
