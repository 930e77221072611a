import ConnectRPC
import Foundation
import NIOCore
import NIOPosix
import SwiftProtobuf
import TestSupport
import Testing

/// `.http1AndH2C()`: HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on the same port, checked with
/// independent HTTP/2 clients: curl (nghttp2) and `buf curl` (Go's net/http2).
@Suite("HTTP/1.1 and h2c on one port")
struct H2CTests {
    static func withServer<T: Sendable>(_ body: (TestServer) async throws -> T) async throws -> T {
        try await TestServer.with(server: .http1AndH2C(), EchoService.register, body)
    }

    @Test(arguments: ConnectCodec.allCases)
    func http1ClientsAreServedAsBefore(codec: ConnectCodec) async throws {
        try await Self.withServer { server in
            let reply = try await server.client(codec: codec).unary(
                EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "one" }, as: Echo_V1_EchoResponse.self)
            #expect(reply.text == "one")
            var numbers: [Int32] = []
            for try await message in server.client(codec: codec).serverStream(
                EchoService.count, Echo_V1_CountRequest.with { $0.count = 3 }, as: Echo_V1_CountResponse.self) {
                numbers.append(message.number)
            }
            #expect(numbers == [1, 2, 3])
        }
    }

    /// The same URL over HTTP/2 with prior knowledge and over HTTP/1.1, as curl reports the
    /// version it spoke.
    @Test(.enabled(if: Curl.path != nil, "no curl on PATH"))
    func curlSpeaksBothVersions() async throws {
        try await Self.withServer { server in
            let url = "\(server.baseURL)/\(EchoService.echo)"
            for (flag, version) in [("--http2-prior-knowledge", "2"), ("--http1.1", "1.1")] {
                let result = try await Command.run(try #require(Curl.path), [
                    "-sS", flag, "-H", "Content-Type: application/json", "-d", #"{"text":"h2c"}"#,
                    "-w", "\n%{http_version} %{response_code}", url,
                ])
                #expect(result.succeeded, "\(result.stderr)")
                #expect(result.stdout == "{\"text\":\"h2c\",\"textLength\":3}\n\(version) 200", "\(flag)")
            }
            // Connect GET over HTTP/2 too.
            let get = try await Command.run(try #require(Curl.path), [
                "-sS", "--http2-prior-knowledge", "-w", "\n%{http_version}",
                "\(url)?connect=v1&encoding=json&message=%7B%22text%22%3A%22g%22%7D",
            ])
            #expect(get.stdout == "{\"text\":\"g\",\"textLength\":1}\n2", "\(get.stderr)")
        }
    }

    /// A Connect stream over HTTP/2: the server's `Connection: close` (meant for HTTP/1.1) must not
    /// reach the HTTP/2 stream, where it is forbidden and would reset it.
    @Test(.enabled(if: BufCurl.executable != nil, "buf is not on PATH (pip install buf-bin)"))
    func bufCurlOverH2C() async throws {
        try await Self.withServer { server in
            let unary = try await BufCurl.run(["--data", #"{"text":"h2","repeat_count":2}"#, "\(server.baseURL)/\(EchoService.echo)"],
                                              http2: true)
            #expect(unary.status == 0, "\(unary.stderr)")
            #expect(try Echo_V1_EchoResponse(jsonString: unary.stdout).text == "h2 h2")

            let stream = try await BufCurl.run(["--data", #"{"count":3,"label":"s"}"#, "\(server.baseURL)/\(EchoService.count)"],
                                               http2: true)
            #expect(stream.status == 0, "\(stream.stderr)")
            let numbers = stream.stdout.split(separator: "\n").filter { $0.contains("\"number\"") }.map { $0.filter(\.isNumber) }
            #expect(numbers == ["1", "2", "3"], "\(stream.stdout)")

            let failing = try await BufCurl.run(["--data", #"{"count":-1}"#, "\(server.baseURL)/\(EchoService.count)"], http2: true)
            #expect(failing.status != 0)
            #expect(failing.stderr.contains("count must not be negative"), "\(failing.stderr)")
        }
    }

    /// Connections that end before their HTTP version is known (no bytes at all, part of the
    /// preface, one byte of HTTP/1) are closed by the server, and it goes on serving others.
    @Test func connectionsEndingBeforeTheVersionIsKnown() async throws {
        try await Self.withServer { server in
            for bytes in ["", "PRI * HT", "G"] {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: server.port).get()
                if !bytes.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: bytes)).get() }
                // Half-close: the server sees the end of the input, then closes the connection itself.
                try await channel.close(mode: .output).get()
                let closed = try await withDeadline(.seconds(60)) { try await channel.closeFuture.get() }
                #expect(closed != nil, "the server did not close a connection that sent \"\(bytes)\" and stopped")
            }
            // Torn down outright while the server is still waiting for the rest of the preface.
            let aborted = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: server.port).get()
            try await aborted.writeAndFlush(ByteBuffer(string: "PRI")).get()
            try await aborted.close().get()

            let reply = try await server.client().unary(
                EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "still here" }, as: Echo_V1_EchoResponse.self)
            #expect(reply.text == "still here")
        }
    }
}

enum Curl {
    /// `curl` on PATH.
    static let path: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/curl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()
}
