import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 that records every request in full (head and body) and
/// answers each with a settable status: a webhook receiver for checking what the forge delivers
/// (headers, signature, payload) and how it records a receiver's failure.
public final class RecordingHTTPServer: Sendable {
    /// One request as received.
    public struct Request: Sendable {
        public var method: String
        public var uri: String
        public var headers: [(String, String)]
        public var body: [UInt8]

        /// The first header of that name (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    public let port: Int
    private let listener: any Channel
    private let acceptor: Task<Void, Never>
    private let state: Recorder

    private init(port: Int, listener: any Channel, acceptor: Task<Void, Never>, state: Recorder) {
        self.port = port
        self.listener = listener
        self.acceptor = acceptor
        self.state = state
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The requests so far, oldest first.
    public var requests: [Request] { state.locked.withLock { $0.requests } }

    /// The status later requests are answered with (202 at first).
    public func answer(_ status: Int) { state.locked.withLock { $0.status = status } }

    /// What the connections share: the requests so far and the status to answer.
    private final class Recorder: Sendable {
        let locked = Mutex<(requests: [Request], status: Int)>(([], 202))
    }

    public static func start() async throws -> RecordingHTTPServer {
        let state = Recorder()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let acceptor = Task<Void, Never> {
            _ = try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { tasks in
                    for try await connection in connections {
                        tasks.addTask { await serve(connection, state: state) }
                    }
                }
            }
        }
        return RecordingHTTPServer(port: server.channel.localAddress?.port ?? 0, listener: server.channel, acceptor: acceptor, state: state)
    }

    /// Requests of one connection, kept alive for as many as the client sends.
    private static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
                              state: Recorder) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                    body = []
                case .body(let chunk):
                    body += Array(chunk.readableBytesView)
                case .end:
                    guard let request = head else { continue }
                    let status = state.locked.withLock { state -> Int in
                        state.requests.append(Request(method: request.method.rawValue, uri: request.uri,
                                                      headers: request.headers.map { ($0.name, $0.value) }, body: body))
                        return state.status
                    }
                    let text = "recorded\n"
                    var headers = HTTPHeaders([("Content-Type", "text/plain"), ("Content-Length", String(text.utf8.count))])
                    if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                    try await outbound.write(.head(HTTPResponseHead(version: request.version, status: .init(statusCode: status), headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
                    try await outbound.write(.end(nil))
                    if !request.isKeepAlive { return }
                }
            }
        }
    }

    /// Waits (generously) until `count` requests arrived; returns them all.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(60)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = requests
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RecordingHTTPServerTimeout(description: "\(requests.count) requests after \(timeout), expected \(count)")
    }

    public func stop() async {
        listener.close(promise: nil)
        acceptor.cancel()
        await acceptor.value
    }
}

public struct RecordingHTTPServerTimeout: Error, CustomStringConvertible {
    public var description: String
}
