import Logging
import NIOCore
import NIOPosix
import SocketRelay

/// The HTTP/HTTPS proxy of one sandbox on an isolated network, served by the control plane on a
/// Unix socket that is bound into the sandbox (the agent forwards a loopback port to it and
/// points `HTTP_PROXY`/`HTTPS_PROXY` there).
///
/// Each connection carries one request (see ``ProxyRequest``): `CONNECT host:port` becomes a byte
/// tunnel after `200 Connection Established`; an absolute-form `GET http://...` is forwarded in
/// origin form and its answer relayed back. Before connecting, ``EgressPolicy`` decides; a refusal
/// answers `403` with a short text naming the rule and is reported to `onRefusal`. A request the
/// proxy cannot parse gets `400`, a host it cannot resolve or reach `502`; those are not refusals.
public final class EgressProxy: Sendable {
    public let socketPath: String
    private let connections: AcceptLoop

    /// How long a client may take to send its request head.
    static let headTimeout = TimeAmount.seconds(30)
    static let connectTimeout = TimeAmount.seconds(10)

    private init(socketPath: String, connections: AcceptLoop) {
        self.socketPath = socketPath
        self.connections = connections
    }

    /// Listens on `socketPath` (a stale socket file there is replaced).
    public static func start(
        socketPath: String, policy: EgressPolicy, logger: Logger,
        onRefusal: @escaping @Sendable (_ host: String, _ port: Int, _ reason: String) -> Void
    ) async throws -> EgressProxy {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try ByteChannel.wrapping(channel)
                }
            }
        let connections = AcceptLoop(server) { connection in
            try await Connection(policy: policy, logger: logger, onRefusal: onRefusal).serve(connection)
        }
        return EgressProxy(socketPath: socketPath, connections: connections)
    }

    /// Stops listening, ends every tunnel in progress and removes the socket file.
    public func stop() async {
        await connections.stop()
        UnixSocketPath.remove(socketPath)
    }

    /// One client connection.
    private struct Connection: Sendable {
        let policy: EgressPolicy
        let logger: Logger
        let onRefusal: @Sendable (String, Int, String) -> Void

        func serve(_ connection: ByteChannel) async throws {
            try await connection.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                // A client that never finishes its head is cut off, not waited for.
                let channel = connection.channel
                let timer = channel.eventLoop.scheduleTask(in: EgressProxy.headTimeout) { channel.close(promise: nil) }
                let head: (text: String, rest: ByteBuffer)
                do {
                    defer { timer.cancel() }
                    guard let read = try await Self.readHead(&iterator) else { return }
                    head = read
                } catch let error as ProxyRequestError {
                    try await outbound.write(Self.answer(400, "Bad Request", error.description))
                    return
                }
                let request: ProxyRequest
                do {
                    request = try ProxyRequest.parse(head.text)
                } catch {
                    try await outbound.write(Self.answer(400, "Bad Request", "\(error)"))
                    return
                }
                guard let upstream = try await connect(request, outbound: outbound) else { return }
                try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                    var prefix = ByteBuffer()
                    switch request.kind {
                    case .tunnel:
                        try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n"))
                    case .forward(let rewritten):
                        prefix.writeString(rewritten)
                    }
                    var rest = head.rest
                    prefix.writeBuffer(&rest)
                    try await ByteRelay.relay(
                        client: &iterator, clientOutbound: outbound, clientChannel: connection.channel,
                        upstream: .init(inbound: upstreamInbound, outbound: upstreamOutbound, channel: upstream.channel),
                        prefix: prefix)
                }
            }
        }

        /// Applies the policy, then connects to the first checked address that answers; nil when
        /// the client has been answered already (refused, unresolvable, unreachable).
        private func connect(_ request: ProxyRequest, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> ByteChannel? {
            if let reason = policy.refusal(host: request.host) {
                try await refuse(request, reason, outbound)
                return nil
            }
            let addresses: [SocketAddress]
            do {
                addresses = try await HostResolver.resolve(request.host, port: request.port)
            } catch {
                try await outbound.write(Self.answer(502, "Bad Gateway", "\(error)"))
                return nil
            }
            // Every address is checked before any is used: a name with one private address among
            // public ones is refused as a whole.
            for address in addresses {
                guard let ip = HostResolver.ipAddress(of: address) else { continue }
                if let reason = policy.refusal(address: ip, port: request.port) {
                    try await refuse(request, reason, outbound)
                    return nil
                }
            }
            var lastError: (any Error)?
            for address in addresses {
                do {
                    return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .channelOption(.allowRemoteHalfClosure, value: true)
                        .connectTimeout(EgressProxy.connectTimeout)
                        .connect(to: address) { channel in
                            channel.eventLoop.makeCompletedFuture { try ByteChannel.wrapping(channel) }
                        }
                } catch {
                    lastError = error
                }
            }
            try await outbound.write(Self.answer(502, "Bad Gateway", "cannot connect to \(request.host):\(request.port): \(lastError.map { "\($0)" } ?? "no address")"))
            return nil
        }

        private func refuse(_ request: ProxyRequest, _ reason: String, _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
            let target = "\(request.host.contains(":") ? "[\(request.host)]" : request.host):\(request.port)"
            logger.notice("egress refused", metadata: ["target": "\(target)", "reason": "\(reason)"])
            onRefusal(request.host, request.port, reason)
            try await outbound.write(Self.answer(403, "Forbidden", "netclode egress proxy refused \(target): \(reason)"))
        }

        /// A complete answer with a one-line text body; the connection closes after it.
        static func answer(_ status: Int, _ reason: String, _ text: String) -> ByteBuffer {
            let body = text + "\n"
            return ByteBuffer(string: "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
        }

        /// Reads up to the blank line that ends the head: the head as text and whatever followed
        /// it (the start of a body, or of the tunnelled bytes). Nil when the client left first.
        static func readHead(_ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) async throws -> (String, ByteBuffer)? {
            var buffer = ByteBuffer()
            while true {
                let view = buffer.readableBytesView
                if let end = view.firstRange(of: [13, 10, 13, 10]) {
                    let headLength = end.lowerBound - view.startIndex
                    let text = buffer.readString(length: headLength) ?? ""
                    buffer.moveReaderIndex(forwardBy: 4)
                    return (text, buffer.slice())
                }
                guard buffer.readableBytes <= ProxyRequest.maximumHeadSize else {
                    throw ProxyRequestError("the request head is larger than \(ProxyRequest.maximumHeadSize) bytes")
                }
                guard var chunk = try await iterator.next() else { return nil }
                buffer.writeBuffer(&chunk)
            }
        }
    }
}
