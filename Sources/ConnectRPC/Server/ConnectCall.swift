import HTTPTypes
import Logging

/// What a handler knows about the call it is serving, besides the request message.
public struct ConnectCall: Sendable {
    /// `package.Service/Method`, as registered.
    public let method: String
    /// The HTTP request headers (authorisation, custom metadata, ...).
    public let requestHeaders: HTTPFields
    /// The codec negotiated from the request's `Content-Type`; the response uses the same.
    public let codec: ConnectCodec
    /// The caller's `Connect-Timeout-Ms`, if it sent one.
    public let timeout: Duration?
    /// When the caller stops waiting: the request's arrival plus ``timeout``. The handler is
    /// cancelled at this instant and the caller gets `deadline_exceeded`.
    public let deadline: ContinuousClock.Instant?
    /// The request's logger (from the Hummingbird request context).
    public let logger: Logger

    public init(method: String, requestHeaders: HTTPFields, codec: ConnectCodec, timeout: Duration?,
                deadline: ContinuousClock.Instant?, logger: Logger) {
        self.method = method
        self.requestHeaders = requestHeaders
        self.codec = codec
        self.timeout = timeout
        self.deadline = deadline
        self.logger = logger
    }

    /// Time left before ``deadline``, or `nil` without one.
    public var remainingTime: Duration? {
        deadline.map { $0 - ContinuousClock.now }
    }
}
