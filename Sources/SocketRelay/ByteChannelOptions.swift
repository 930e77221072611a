import NIOCore

extension NIOAsyncChannel where Inbound == ByteBuffer, Outbound == ByteBuffer {
    /// Wraps an accepted or connected channel for ``ByteRelay`` (on the channel's event loop):
    /// outbound half-closure on, and closed after ``ByteChannelOptions/idleTimeout`` without
    /// traffic. The channel also needs `allowRemoteHalfClosure`.
    public static func wrapping(_ channel: any Channel) throws -> ByteChannel {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: ByteChannelOptions.idleTimeout))
        try channel.pipeline.syncOperations.addHandler(IdleCloser())
        return try ByteChannel(wrappingChannelSynchronously: channel, configuration: ByteChannelOptions.configuration)
    }
}

/// How the relays wrap their connections.
enum ByteChannelOptions {
    /// Both ways of a connection end separately: finishing the writer shuts down only the output
    /// (see ``ByteRelay``). The channels also need `allowRemoteHalfClosure`, so that an EOF is an
    /// end of input rather than a close.
    static let configuration = NIOAsyncChannel<ByteBuffer, ByteBuffer>.Configuration(isOutboundHalfClosureEnabled: true)

    /// A connection that neither sent nor received anything for this long is closed, so a tunnel
    /// whose peer vanished without a FIN (a sandbox killed mid-transfer) does not hold its
    /// descriptors forever. Long enough for a slow fetch that waits on the server.
    static let idleTimeout = TimeAmount.minutes(30)

    static func wrap(_ channel: any Channel) -> EventLoopFuture<ByteChannel> {
        channel.eventLoop.makeCompletedFuture { try ByteChannel.wrapping(channel) }
    }
}

/// Closes the connection when ``IdleStateHandler`` reports it idle.
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
