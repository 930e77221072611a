import NIOCore
import NIOPosix

/// Listens on a loopback TCP port and forwards every connection, byte for byte, to a Unix domain
/// socket.
///
/// The agent in a sandbox on an isolated network uses it so that programs which only speak TCP
/// (git, curl, pip) reach what the control plane serves on the sockets bound into the sandbox:
/// its sandbox listener (agent channel, git) and the session's egress proxy. Each connection gets
/// its own connection to the socket; half-closes pass through and a slow side slows the other
/// (see ``ByteRelay``). ``stop()`` closes the listener and every relayed connection.
public final class UnixSocketForwarder: Sendable {
    /// The port it listens on (on `host`).
    public let port: Int
    public let host: String
    /// The socket every connection is forwarded to.
    public let socketPath: String
    private let connections: AcceptLoop

    private init(host: String, port: Int, socketPath: String, connections: AcceptLoop) {
        self.host = host
        self.port = port
        self.socketPath = socketPath
        self.connections = connections
    }

    /// `http://host:port`: the base URL a plain HTTP client uses to reach what the socket serves.
    public var httpURL: String {
        "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// Binds `host:port` (port 0: any free port) and starts forwarding to `socketPath`.
    public static func start(
        forwardingTo socketPath: String, host: String = "127.0.0.1", port: Int = 0,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> UnixSocketForwarder {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: host, port: port) { channel in ByteChannelOptions.wrap(channel) }
        let boundPort = server.channel.localAddress?.port ?? port
        let connections = AcceptLoop(server) { connection in try await forward(connection, to: socketPath) }
        return UnixSocketForwarder(host: host, port: boundPort, socketPath: socketPath, connections: connections)
    }

    /// Stops listening and ends every connection in progress.
    public func stop() async {
        await connections.stop()
    }

    private static func forward(_ connection: ByteChannel, to socketPath: String) async throws {
        try await connection.executeThenClose { clientInbound, clientOutbound in
            // Same event loop as the accepted connection: both ends of the relay live together.
            let upstream = try await ClientBootstrap(group: connection.channel.eventLoop)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connectTimeout(.seconds(10))
                .connect(unixDomainSocketPath: socketPath) { channel in ByteChannelOptions.wrap(channel) }
            try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                var client = clientInbound.makeAsyncIterator()
                try await ByteRelay.relay(
                    client: &client, clientOutbound: clientOutbound, clientChannel: connection.channel,
                    upstream: .init(inbound: upstreamInbound, outbound: upstreamOutbound, channel: upstream.channel))
            }
        }
    }
}
