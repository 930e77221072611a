import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore

/// A Hummingbird server child channel that serves HTTP/1.1 and cleartext HTTP/2 ("h2c" with prior
/// knowledge, as `curl --http2-prior-knowledge`, `buf curl --http2-prior-knowledge` and gRPC-style
/// clients speak it) on the same port.
///
/// Hummingbird offers either protocol alone on a cleartext port (`.http1()`, `.plaintextHTTP2()`),
/// and both together only over TLS, where ALPN picks one. Without TLS the client's first bytes
/// decide: ``HTTP2PriorKnowledgeSniffer`` looks for the HTTP/2 connection preface and hands the
/// connection to Hummingbird's own ``HTTP1Channel`` or ``HTTP2Channel``. (The HTTP/1.1
/// `Upgrade: h2c` dance is not offered; clients that want h2c use prior knowledge.)
///
/// HTTP/2 stream pipelines get an ``HTTP2ConnectionHeaderRemover``, so responses written for
/// HTTP/1.1 (such as a Connect stream's `Connection: close`) are valid HTTP/2 too.
///
/// ```swift
/// let app = Application(router: router, server: .http1AndH2C(), configuration: ...)
/// ```
public struct HTTP1AndH2CChannel: ServerChildChannel {
    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        public let channel: any Channel
    }

    enum Negotiated: Sendable {
        case http1(HTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    private let http1: HTTP1Channel
    private let http2: HTTP2Channel

    /// - Parameters:
    ///   - responder: the HTTP responder (Hummingbird passes the router's).
    ///   - configuration: HTTP/2 connection settings; its `streamConfiguration` applies to HTTP/1.1
    ///     connections and HTTP/2 streams alike.
    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP2ChannelConfiguration = .init()) {
        self.http1 = HTTP1Channel(responder: responder, configuration: configuration.streamConfiguration)
        var http2Configuration = configuration
        let streamHandlers = configuration.streamConfiguration.additionalChannelHandlers
        http2Configuration.streamConfiguration.additionalChannelHandlers = { [HTTP2ConnectionHeaderRemover()] + streamHandlers() }
        self.http2 = HTTP2Channel(responder: responder, configuration: http2Configuration)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let http1 = self.http1
            let http2 = self.http2
            let sniffer = HTTP2PriorKnowledgeSniffer<Negotiated>(eventLoop: channel.eventLoop) { isHTTP2, channel in
                isHTTP2
                    ? http2.setup(channel: channel, logger: logger).map { .http2($0) }
                    : http1.setup(channel: channel, logger: logger).map { .http1($0) }
            }
            try channel.pipeline.syncOperations.addHandler(sniffer)
            return Value(negotiated: sniffer.negotiated, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("Connection closed before its HTTP version was known: \(error)")
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 and cleartext HTTP/2 with prior knowledge on one port; see ``HTTP1AndH2CChannel``.
    ///
    /// Use in `Application(router:server:configuration:...)` in place of the default `.http1()`.
    public static func http1AndH2C(configuration: HTTP2ChannelConfiguration = .init()) -> HTTPServerBuilder {
        .init { responder in HTTP1AndH2CChannel(responder: responder, configuration: configuration) }
    }
}
