import NIOCore

/// A connection as the relays handle it: raw bytes in both directions.
public typealias ByteChannel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

/// Copies bytes between a client connection and an upstream connection, both ways, until both
/// directions have ended.
///
/// Each direction ends on its own: when one side half-closes (EOF), the other side's output is
/// shut down and the opposite direction carries on (a client that sends its request and then
/// `shutdown(SHUT_WR)` still gets its answer). Backpressure is NIOAsyncChannel's: a direction
/// reads the next chunk only once the previous one was written, so a slow reader holds a fast
/// writer back instead of the relay buffering without bound. An error in either direction, or
/// cancellation of the calling task, ends both; the callers' `executeThenClose` closes the
/// channels.
///
/// The client side is an iterator rather than the stream, because a caller may have read from it
/// already (the egress proxy reads the request head first); a stream has only one iterator.
public enum ByteRelay {
    public struct Upstream: Sendable {
        public var inbound: NIOAsyncChannelInboundStream<ByteBuffer>
        public var outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        public var channel: any Channel

        public init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: any Channel) {
            self.inbound = inbound
            self.outbound = outbound
            self.channel = channel
        }
    }

    /// Relays until both directions ended. `prefix` goes upstream before anything else of the
    /// client's (bytes read while deciding where to connect).
    public static func relay(
        client iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        clientOutbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, clientChannel: any Channel,
        upstream: Upstream, prefix: ByteBuffer? = nil
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await chunk in upstream.inbound {
                        try await clientOutbound.write(chunk)
                    }
                    clientOutbound.finish()
                } catch {
                    // Unblocks the other direction, which may be waiting for the client to send.
                    clientChannel.close(promise: nil)
                    upstream.channel.close(promise: nil)
                    throw error
                }
            }
            do {
                if let prefix, prefix.readableBytes > 0 { try await upstream.outbound.write(prefix) }
                while let chunk = try await iterator.next() {
                    try await upstream.outbound.write(chunk)
                }
                upstream.outbound.finish()
            } catch {
                group.cancelAll()
                upstream.channel.close(promise: nil)
                throw error
            }
            try await group.waitForAll()
        }
    }
}
