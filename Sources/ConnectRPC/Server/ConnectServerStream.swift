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
        try await send(payloads: messages.map { try codec.encode($0) })
    }

    /// Sends several shared messages in one write and one flush, reusing each one's encoding
    /// for this stream's codec (see ``ConnectSharedMessage``).
    public func send(contentsOf messages: some Sequence<ConnectSharedMessage<Output>>) async throws {
        try await send(payloads: messages.map { try $0.payload(codec) })
    }

    private func send(payloads: [ByteBuffer]) async throws {
        guard !payloads.isEmpty else { return }
        var frames = ByteBuffer()
        for payload in payloads { compressor.envelope(payload).write(into: &frames) }
        try await outbox.send(frames)
    }
}
