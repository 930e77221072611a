import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Drops connection-specific header fields (`Connection`, `Keep-Alive`, `Proxy-Connection`,
/// `Transfer-Encoding`, `Upgrade`) from responses on an HTTP/2 stream.
///
/// HTTP/2 forbids them (RFC 9113 §8.2.2) and swift-nio-http2 resets a stream that sends one. The
/// same routes answer HTTP/1.1 and HTTP/2 on an ``HTTP1AndH2CChannel`` server, and a Connect
/// streaming response carries `Connection: close` for HTTP/1.1 clients
/// (``ConnectServerOptions/closeHTTP1ConnectionAfterStream``); this handler, on HTTP/2 stream
/// pipelines only, lets one response serve both.
final class HTTP2ConnectionHeaderRemover: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let forbidden: [HTTPField.Name] = [
        .connection, .transferEncoding, .upgrade, HTTPField.Name("Proxy-Connection")!, HTTPField.Name("Keep-Alive")!,
    ]

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = Self.unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        for name in Self.forbidden { head.headerFields[name] = nil }
        context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
    }
}

@available(*, unavailable)
extension HTTP2ConnectionHeaderRemover: Sendable {}
