import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A minimal HTTP/1.1 server for network tests: answers every request with `200` and a fixed
/// body, then closes, and remembers each request head it got. Reaching it (or not) is what the
/// egress tests check.
public final class TinyHTTPServer: Sendable {
    public let host: String
    public let port: Int
    public let body: String
    private let listener: any Channel
    private let acceptor: Task<Void, Never>
    private let heads: RequestLog

    /// The request heads received so far (request line and headers).
    public var requests: [String] { heads.all }

    private init(host: String, port: Int, body: String, listener: any Channel, acceptor: Task<Void, Never>, heads: RequestLog) {
        self.host = host
        self.port = port
        self.body = body
        self.listener = listener
        self.acceptor = acceptor
        self.heads = heads
    }

    /// Serves on `host` (port 0: any free one).
    public static func start(host: String, port: Int = 0, body: String) async throws -> TinyHTTPServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A client that half-closes after its request (as the egress proxy forwards it) still
            // gets the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return serve(server, host: host, port: server.channel.localAddress?.port ?? port, body: body)
    }

    /// Serves on the Unix socket `path` (`host` is then the path, `port` 0).
    public static func start(unixSocket path: String, body: String) async throws -> TinyHTTPServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return serve(server, host: path, port: 0, body: body)
    }

    private static func serve(_ server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, host: String, port: Int, body: String) -> TinyHTTPServer {
        let heads = RequestLog()
        let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let acceptor = Task<Void, Never> {
            _ = try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { tasks in
                    for try await connection in connections {
                        tasks.addTask {
                            try? await connection.executeThenClose { inbound, outbound in
                                var buffer = ByteBuffer()
                                for try await var chunk in inbound {
                                    buffer.writeBuffer(&chunk)
                                    let text = String(buffer: buffer)
                                    if let end = text.range(of: "\r\n\r\n") {
                                        heads.append(String(text[..<end.lowerBound]))
                                        try await outbound.write(ByteBuffer(string: reply))
                                        break
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return TinyHTTPServer(host: host, port: port, body: body, listener: server.channel, acceptor: acceptor, heads: heads)
    }

    /// `http://host:port`.
    public var url: String { "http://\(host):\(port)" }

    public func stop() async {
        listener.close(promise: nil)
        acceptor.cancel()
        await acceptor.value
    }
}

private final class RequestLog: Sendable {
    private let heads = Mutex<[String]>([])
    func append(_ head: String) { heads.withLock { $0.append(head) } }
    var all: [String] { heads.withLock { $0 } }
}
