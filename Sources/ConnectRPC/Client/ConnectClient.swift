import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SwiftProtobuf

/// A Connect client over HTTP/1.1 (or HTTP/2 when the server negotiates it) on AsyncHTTPClient.
///
/// ```swift
/// let client = ConnectClient(baseURL: "http://127.0.0.1:8080", codec: .json,
///                            headers: [("Authorization", "Bearer \(token)")])
/// let reply = try await client.unary("echo.v1.EchoService/Echo", request, as: EchoResponse.self)
/// for try await event in client.serverStream("echo.v1.EchoService/Count", countRequest, as: CountResponse.self) {
///     print(event.number)
/// }
/// ```
///
/// Every error thrown is a ``ConnectError``: the server's own errors keep its code and message;
/// connection failures are `unavailable`; an expired `timeout` is `deadline_exceeded`; a cancelled
/// task is `canceled` (and its HTTP request is closed).
public struct ConnectClient: Sendable {
    /// Scheme, host, port and optional path prefix, e.g. `http://127.0.0.1:8080`.
    public var baseURL: String
    /// The transport. Leave its `decompression` disabled (AsyncHTTPClient's default, but not
    /// `HTTPClient.shared`'s): this client decompresses Connect messages itself.
    public var httpClient: HTTPClient
    public var codec: ConnectCodec
    /// Sent with every call (e.g. `Authorization`).
    public var headers: [(String, String)]
    /// Largest response message accepted, before and after decompression; bigger ones fail with
    /// `resource_exhausted`.
    public var maxMessageBytes: Int
    /// Compresses every non-empty request message with this (default `nil`: none). Only for
    /// servers known to accept it: Connect servers answer an unknown compression with
    /// `unimplemented`.
    public var sendCompression: ConnectCompression?
    /// Compressions the server may use for responses, most preferred first (default none). Sent as
    /// `Accept-Encoding` (unary) or `Connect-Accept-Encoding` (streams); compressed responses are
    /// decompressed transparently whatever this says, as long as this client implements them.
    public var acceptCompression: [ConnectCompression]

    public init(
        baseURL: String,
        httpClient: HTTPClient = ConnectClient.defaultHTTPClient,
        codec: ConnectCodec = .json,
        headers: [(String, String)] = [],
        maxMessageBytes: Int = ConnectLimits.defaultMaxMessageBytes,
        sendCompression: ConnectCompression? = nil,
        acceptCompression: [ConnectCompression] = []
    ) {
        var baseURL = baseURL
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        self.baseURL = baseURL
        self.httpClient = httpClient
        self.codec = codec
        self.headers = headers
        self.maxMessageBytes = maxMessageBytes
        self.sendCompression = sendCompression
        self.acceptCompression = acceptCompression
    }

    /// The HTTP client used unless another is given: AsyncHTTPClient's defaults with a 10-second
    /// connect timeout, no read timeout and no connection retries.
    ///
    /// Not `HTTPClient.shared`, whose browser-like settings would hurt RPCs: its 90-second read
    /// timeout would cut a watch stream that is quiet for 90 seconds, and it keeps retrying a
    /// refused connection for 90 seconds instead of reporting `unavailable` at once.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: nil)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Builds the POST for `method` with the protocol headers (`protocolHeaders` carries the
    /// compression ones), the client's and the call's own.
    func makeRequest(_ method: String, contentType: String, body: ByteBuffer, timeout: Duration?,
                     protocolHeaders: [(String, String)] = [],
                     headers callHeaders: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "\(baseURL)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "Connect-Protocol-Version", value: "1")
        if let timeout {
            request.headers.add(name: "Connect-Timeout-Ms", value: ConnectTimeout.headerValue(for: timeout))
        }
        for (name, value) in protocolHeaders {
            request.headers.add(name: name, value: value)
        }
        for (name, value) in headers + callHeaders {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(body)
        return request
    }

    /// The `Accept-Encoding` / `Connect-Accept-Encoding` value, `nil` when nothing is accepted.
    var acceptEncodingHeaderValue: String? {
        acceptCompression.isEmpty ? nil : acceptCompression.map(\.rawValue).joined(separator: ", ")
    }

    /// The compression a response declares (`Content-Encoding` or `Connect-Content-Encoding`):
    /// `nil` for none or identity.
    /// - Throws: `internal` for one this client does not implement.
    static func responseCompression(_ value: String?, header: String, url: String) throws(ConnectError) -> ConnectCompression? {
        do {
            return try ConnectCompression.requested(value, field: header)
        } catch {
            throw ConnectError(.internal, "\(url) answered with unsupported \(header) \"\(value ?? "")\"")
        }
    }

    /// When AsyncHTTPClient gives up: a little after the timeout, so that the server's own
    /// `deadline_exceeded` (with its message) normally arrives first.
    static func transportDeadline(for timeout: Duration?) -> NIODeadline {
        guard let timeout else { return .distantFuture }
        let (seconds, attoseconds) = (timeout + .milliseconds(250)).components
        return .now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Any failure of a call as the ``ConnectError`` the caller sees.
    static func connectError(from error: any Error, url: String) -> ConnectError {
        switch error {
        case let error as ConnectError:
            return error
        case is CancellationError:
            return ConnectError(.canceled, "the call was canceled")
        case is NIOTooManyBytesError:
            return ConnectError(.resourceExhausted, "the response from \(url) exceeds the client's message size limit")
        case let error as HTTPClientError where error == .deadlineExceeded:
            return ConnectError(.deadlineExceeded, "the call to \(url) timed out")
        case let error as HTTPClientError where error == .cancelled:
            return ConnectError(.canceled, "the call was canceled")
        default:
            if Task.isCancelled { return ConnectError(.canceled, "the call was canceled") }
            return ConnectError(.unavailable, "cannot reach \(url): \(error)")
        }
    }
}
