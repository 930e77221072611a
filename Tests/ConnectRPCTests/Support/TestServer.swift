import AsyncHTTPClient
import ConnectRPC
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import TestSupport

/// A real Hummingbird server on 127.0.0.1 with a free port, serving whatever routes a test
/// registers, stopped when the test body returns.
struct TestServer: Sendable {
    let port: Int
    let logs: LogCapture

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func client(codec: ConnectCodec = .json, headers: [(String, String)] = []) -> ConnectClient {
        ConnectClient(baseURL: baseURL, codec: codec, headers: headers)
    }

    /// - Parameter server: how connections are served: HTTP/1.1 (the default), or e.g.
    ///   `.http1AndH2C()` for HTTP/1.1 and cleartext HTTP/2 on the same port.
    static func with<T: Sendable>(
        server: HTTPServerBuilder = .http1(),
        _ configure: (Router<BasicRequestContext>) -> Void,
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let router = Router()
        configure(router)
        let logs = LogCapture()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logs.logger(label: "connect-test-server", level: .debug))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                throw ConnectError(.internal, "test server did not start")
            }
            return try await body(TestServer(port: port, logs: logs))
        }
    }
}

/// A raw HTTP exchange, for checking exact bytes on the wire.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var bodyString: String { String(buffer: body) }
    var bodyBytes: [UInt8] { Array(body.readableBytesView) }
    var contentType: String? { headers.first(name: "Content-Type") }
}

enum RawHTTP {
    static func send(_ url: String, method: HTTPMethod = .POST, contentType: String?,
                     body: ByteBuffer = ByteBuffer(), headers: [(String, String)] = []) async throws -> RawResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if method == .POST { request.body = .bytes(body) }
        // Not HTTPClient.shared: it inflates gzip bodies itself, and these tests check the bytes sent.
        // The tests' own margin for a loaded 2-core machine (a 30 s bound once ran out there).
        let response = try await ConnectClient.defaultHTTPClient.execute(request, timeout: .seconds(120))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return RawResponse(status: Int(response.status.code), headers: response.headers, body: collected)
    }

    static func send(_ url: String, contentType: String?, json: String,
                     headers: [(String, String)] = []) async throws -> RawResponse {
        try await send(url, contentType: contentType, body: ByteBuffer(string: json), headers: headers)
    }
}

/// One-shot signals between a test and a handler running on the server.
struct Signal<Value: Sendable>: Sendable {
    private let stream: AsyncStream<Value>
    private let continuation: AsyncStream<Value>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Value>.makeStream()
    }

    func send(_ value: Value) { continuation.yield(value) }

    /// The next value, or `nil` if none arrives within `timeout`.
    func next(within timeout: Duration = .seconds(60)) async -> Value? {
        let stream = self.stream
        return await withTaskGroup(of: Value?.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }
}

extension ConnectEnvelope {
    /// A framed envelope's bytes, for building and comparing raw bodies.
    static func bytes(flags: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [flags, UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + payload
    }
}
