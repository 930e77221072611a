/// Per-method server settings.
public struct ConnectServerOptions: Sendable {
    /// Largest request message accepted (a unary body, or the payload of a stream's request
    /// envelope); bigger requests get `resource_exhausted`. Default 4 MiB.
    public var maxMessageBytes: Int

    /// Whether streaming responses carry `Connection: close` (default `true`, right for HTTP/1.1).
    ///
    /// To notice a client going away mid-stream, the server watches the connection's inbound
    /// side, and Hummingbird closes an HTTP/1.1 connection once such a response is done. The header
    /// tells the client so; without it a client could reuse the connection for its next call and
    /// fail. Set it to `false` when the server speaks HTTP/2 only (`plaintextHTTP2`), where
    /// connection headers are forbidden and each stream closes on its own.
    public var closeHTTP1ConnectionAfterStream: Bool

    /// Told the outcome of every call (default none).
    public var observer: (any ConnectCallObserver)?

    public init(maxMessageBytes: Int = ConnectLimits.defaultMaxMessageBytes,
                closeHTTP1ConnectionAfterStream: Bool = true,
                observer: (any ConnectCallObserver)? = nil) {
        self.maxMessageBytes = maxMessageBytes
        self.closeHTTP1ConnectionAfterStream = closeHTTP1ConnectionAfterStream
        self.observer = observer
    }
}
