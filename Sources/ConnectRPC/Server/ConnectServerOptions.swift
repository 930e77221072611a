import HTTPTypes

/// Checks a call's request headers before its body is read; see ``ConnectServerOptions/authorize``.
public typealias ConnectAuthorizer = @Sendable (_ requestHeaders: HTTPFields) throws(ConnectError) -> Void

/// Per-method server settings.
public struct ConnectServerOptions: Sendable {
    /// Largest request message accepted (a unary body, a GET `message`, or the payload of a
    /// stream's request envelope); bigger requests get `resource_exhausted`. Default 4 MiB. A
    /// compressed message must fit both before and after decompression, so a small compressed
    /// "zip bomb" is refused as soon as its output passes the limit.
    public var maxMessageBytes: Int

    /// Smallest response message compressed when the client accepts a compression (default
    /// 1 KiB): below it gzip saves little and costs CPU and 18 bytes of framing. Applies to unary
    /// bodies and to each stream envelope alike.
    public var compressMinBytes: Int

    /// Whether streaming responses carry `Connection: close` (default `true`, right for HTTP/1.1).
    ///
    /// To notice a client going away mid-stream, the server watches the connection's inbound
    /// side, and Hummingbird closes an HTTP/1.1 connection once such a response is done. The header
    /// tells the client so; without it a client could reuse the connection for its next call and
    /// fail. Set it to `false` when the server speaks HTTP/2 only (`plaintextHTTP2`), where
    /// connection headers are forbidden and each stream closes on its own. On a server built with
    /// `.http1AndH2C()` it can stay `true`: HTTP/2 streams drop the header there
    /// (``HTTP1AndH2CChannel``).
    public var closeHTTP1ConnectionAfterStream: Bool

    /// Told the outcome of every call (default none).
    public var observer: (any ConnectCallObserver)?

    /// Decides from the request headers alone whether the call may proceed (default: every call
    /// may). It runs before the request body is read or decoded, so a caller without credentials
    /// can neither make the server buffer and parse up to ``maxMessageBytes`` nor learn from a
    /// parse error what the method expects: whatever it throws is the call's answer (typically
    /// `unauthenticated`), and the handler never runs.
    public var authorize: ConnectAuthorizer?

    public init(maxMessageBytes: Int = ConnectLimits.defaultMaxMessageBytes,
                compressMinBytes: Int = ConnectServerOptions.defaultCompressMinBytes,
                closeHTTP1ConnectionAfterStream: Bool = true,
                observer: (any ConnectCallObserver)? = nil,
                authorize: ConnectAuthorizer? = nil) {
        self.maxMessageBytes = maxMessageBytes
        self.compressMinBytes = compressMinBytes
        self.closeHTTP1ConnectionAfterStream = closeHTTP1ConnectionAfterStream
        self.observer = observer
        self.authorize = authorize
    }
}

extension ConnectServerOptions {
    /// 1 KiB: see ``compressMinBytes``.
    public static let defaultCompressMinBytes = 1024
}
