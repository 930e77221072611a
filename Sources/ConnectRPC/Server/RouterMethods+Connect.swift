import HTTPTypes
import Hummingbird
import SwiftProtobuf

/// Registration of Connect methods on a Hummingbird router or router group.
///
/// Each method is served at `POST /<package>.<Service>/<Method>`; a unary method registered with
/// ``ConnectIdempotencyLevel/noSideEffects`` also at `GET` (Connect GET). Other HTTP methods on
/// that path get `405 Method Not Allowed` with `Allow` listing the served ones and a Connect
/// `unimplemented` body, as connect-go does; unknown paths keep the router's 404.
extension RouterMethods {
    /// Registers a unary method.
    ///
    /// ```swift
    /// router.connectUnary("echo.v1.EchoService/Echo", EchoRequest.self, EchoResponse.self) { request, call in
    ///     guard !request.text.isEmpty else { throw ConnectError(.invalidArgument, "text is required") }
    ///     return EchoResponse.with { $0.text = request.text }
    /// }
    /// ```
    ///
    /// Requests may be `application/json` (proto3 JSON) or `application/proto`, gzip-compressed or
    /// not; the response uses the same codec, gzip-compressed when the client accepts it. Throw
    /// ``ConnectError`` for expected failures; any other error is logged and answered as `internal`.
    ///
    /// - Parameter idempotency: the method's `idempotency_level` from the proto. With
    ///   ``ConnectIdempotencyLevel/noSideEffects`` the method is also served over HTTP GET
    ///   (`GET /<method>?connect=v1&encoding=json&message=...`); `authorize` and the other options
    ///   apply to GET calls alike.
    @discardableResult
    public func connectUnary<Input: Message, Output: Message>(
        _ method: String,
        _ input: Input.Type = Input.self,
        _ output: Output.Type = Output.self,
        idempotency: ConnectIdempotencyLevel = .unknown,
        options: ConnectServerOptions = ConnectServerOptions(),
        handler: @escaping @Sendable (_ request: Input, _ call: ConnectCall) async throws -> Output
    ) -> Self {
        let responder = ConnectUnaryResponder(method: method, options: options, handler: handler)
        var get: (@Sendable (Request, Context) async -> Response)?
        if idempotency.allowsGet {
            get = { request, context in await responder.respondToGet(request, logger: context.logger) }
        }
        return connectRoute(method, get: get) { request, context in
            await responder.respond(to: request, logger: context.logger)
        }
    }

    /// Registers a server-streaming method.
    ///
    /// ```swift
    /// router.connectServerStream("echo.v1.EchoService/Count", CountRequest.self, CountResponse.self) { request, call, stream in
    ///     for number in 1...request.count {
    ///         try await stream.send(CountResponse.with { $0.number = number })
    ///     }
    /// }
    /// ```
    ///
    /// Each ``ConnectServerStream/send(_:)`` is written and flushed before it returns, so clients
    /// see messages live. When the handler returns the stream ends with `{}`; when it throws, with
    /// the error in the end-of-stream message. If the client goes away, the handler's task is
    /// cancelled and further sends throw.
    @discardableResult
    public func connectServerStream<Input: Message, Output: Message>(
        _ method: String,
        _ input: Input.Type = Input.self,
        _ output: Output.Type = Output.self,
        options: ConnectServerOptions = ConnectServerOptions(),
        handler: @escaping @Sendable (_ request: Input, _ call: ConnectCall, _ stream: ConnectServerStream<Output>) async throws -> Void
    ) -> Self {
        let responder = ConnectServerStreamResponder(method: method, options: options, handler: handler)
        return connectRoute(method) { request, context in
            await responder.respond(to: request, logger: context.logger)
        }
    }

    /// Routes POST (and GET when `get` is given) to the method; the other common HTTP methods to
    /// a 405 naming the allowed ones.
    private func connectRoute(
        _ method: String,
        get: (@Sendable (Request, Context) async -> Response)? = nil,
        _ respond: @escaping @Sendable (Request, Context) async -> Response
    ) -> Self {
        let path = RouterPath("/" + method)
        on(path, method: .post) { request, context in await respond(request, context) }
        if let get {
            on(path, method: .get) { request, context in await get(request, context) }
        }
        let allowed = get == nil ? "POST" : "GET, POST"
        let refused: [HTTPRequest.Method] = get == nil ? [.get, .put, .delete, .patch] : [.put, .delete, .patch]
        for other in refused {
            on(path, method: other) { request, _ in
                ConnectError(.unimplemented, "HTTP method \(request.method.rawValue) is not supported; use \(allowed)")
                    .httpResponse(status: .methodNotAllowed, extraHeaders: [.allow: allowed])
            }
        }
        return self
    }
}
