import Foundation
import Logging
import NIOCore
import NIOPosix
import SocketRelay
import Synchronization
import TestSupport
import Testing

@testable import Sandbox

/// The egress proxy on a real Unix socket, with a real server on a TEST-NET-2 address of this
/// machine as the "public host" (never a real outside address).
@Suite("Egress proxy", .enabled(if: TestNetAddress.canAdd, "needs root to add a TEST-NET-2 address to lo"))
struct EgressProxyTests {
    /// A proxy over a fresh socket, a server on a fresh public-looking address, and the refusals
    /// the proxy reported.
    struct Fixture {
        let proxy: EgressProxy
        let server: TinyHTTPServer
        let refusals: Refusals

        static func with(allow: (String) -> String?, _ body: (Fixture) async throws -> Void) async throws {
            try await TestNetAddress.with { address in
                try await TemporaryDirectory.with(prefix: "egress") { directory in
                    let server = try await TinyHTTPServer.start(host: address.address, body: "hello from the public host")
                    let refusals = Refusals()
                    let policy = EgressPolicy(allowList: try EgressAllowList(setting: allow(address.address)))
                    let proxy = try await EgressProxy.start(
                        socketPath: directory.url.appendingPathComponent("egress.sock").path, policy: policy,
                        logger: Logger(label: "egress-test")) { host, port, reason in refusals.add("\(host):\(port) \(reason)") }
                    do {
                        try await body(Fixture(proxy: proxy, server: server, refusals: refusals))
                    } catch {
                        await proxy.stop()
                        await server.stop()
                        throw error
                    }
                    await proxy.stop()
                    await server.stop()
                }
            }
        }

        /// Sends `request` on a new connection to the proxy and reads until the proxy closes.
        func exchange(_ request: String, halfClose: Bool = false) async throws -> String {
            try await UnixClient.exchange(socket: proxy.socketPath, request, halfClose: halfClose)
        }
    }

    @Test("CONNECT to an allowed public host tunnels bytes both ways, including those sent with the CONNECT")
    func tunnel() async throws {
        try await Fixture.with(allow: { $0 }) { fixture in
            let target = "\(fixture.server.host):\(fixture.server.port)"
            let answer = try await fixture.exchange("CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\nGET /inside HTTP/1.1\r\nHost: \(target)\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 200 Connection Established\r\n\r\n"), "\(answer)")
            #expect(answer.contains("hello from the public host"), "\(answer)")
            #expect(fixture.server.requests.first?.hasPrefix("GET /inside HTTP/1.1") == true)
            #expect(fixture.refusals.all.isEmpty)
        }
    }

    @Test("an absolute-form GET is forwarded in origin form with Connection: close, even after a half-close")
    func forward() async throws {
        try await Fixture.with(allow: { _ in nil }) { fixture in
            let answer = try await fixture.exchange(
                "GET \(fixture.server.url)/path?q=1 HTTP/1.1\r\nHost: \(fixture.server.host)\r\nProxy-Connection: keep-alive\r\n\r\n", halfClose: true)
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(answer)")
            #expect(answer.hasSuffix("hello from the public host"), "\(answer)")
            let head = try #require(fixture.server.requests.first)
            #expect(head.hasPrefix("GET /path?q=1 HTTP/1.1\r\n"))
            #expect(head.contains("Connection: close") && !head.contains("Proxy-Connection"))
        }
    }

    @Test("refusals answer 403 naming the rule and are reported; nothing reaches the target",
          arguments: [
              ("CONNECT not-allowed.example:443", "not in NETCLODE_EGRESS_ALLOW"),
              ("CONNECT 127.0.0.1:PORT", "loopback"),
              ("CONNECT localhost:PORT", "loopback"),
              ("CONNECT [::ffff:127.0.0.1]:PORT", "loopback"),
              ("GET http://169.254.169.254/latest/meta-data/", "link-local"),
              ("CONNECT 10.0.0.1:443", "private"),
              ("CONNECT 100.64.0.1:443", "CGNAT"),
          ])
    func refusals(requestLine: String, rule: String) async throws {
        let loopback = try await TinyHTTPServer.start(host: "127.0.0.1", body: "loopback service")
        defer { Task { await loopback.stop() } }
        // The allow list names every host asked for here except `not-allowed.example`, so each
        // refusal below comes from the address rules, which the allow list cannot widen.
        try await Fixture.with(allow: { "\($0),localhost,127.0.0.1,::ffff:127.0.0.1,169.254.169.254,10.0.0.1,100.64.0.1" }) { fixture in
            let line = requestLine.replacingOccurrences(of: "PORT", with: "\(loopback.port)")
            let answer = try await fixture.exchange("\(line) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 403 Forbidden"), "\(answer)")
            #expect(answer.contains("netclode egress proxy refused") && answer.contains(rule), "\(answer)")
            try await waitUntil { fixture.refusals.all.count == 1 }
            #expect(fixture.refusals.all.first?.contains(rule) == true, "\(fixture.refusals.all)")
            #expect(loopback.requests.isEmpty)
        }
    }

    @Test("a request the proxy cannot parse gets 400 and is no refusal")
    func badRequest() async throws {
        try await Fixture.with(allow: { _ in nil }) { fixture in
            let answer = try await fixture.exchange("GET /relative HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request"), "\(answer)")
            #expect(fixture.refusals.all.isEmpty)
        }
    }

    @Test("curl through a loopback forwarder to the proxy: HTTP_PROXY works for http and CONNECT")
    func curlThroughForwarder() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            Issue.record("curl is not installed (.ci/run installs it)")
            return
        }
        try await Fixture.with(allow: { $0 }) { fixture in
            let forwarder = try await UnixSocketForwarder.start(forwardingTo: fixture.proxy.socketPath)
            defer { Task { await forwarder.stop() } }
            for extra in [[], ["--proxytunnel"]] {
                let result = try await Command.run("/usr/bin/curl", ["-sS", "--max-time", "30", "-x", forwarder.httpURL] + extra + [fixture.server.url + "/x"])
                #expect(result.stdout == "hello from the public host", "curl \(extra): \(result.stdout) \(result.stderr)")
            }
            let refused = try await Command.run("/usr/bin/curl", ["-s", "--max-time", "30", "-x", forwarder.httpURL, "-w", "%{http_code}", "-o", "/dev/null", "http://elsewhere.example/"])
            #expect(refused.stdout == "403")
            await forwarder.stop()
        }
    }

    @Test("stopping the proxy ends an open tunnel and removes the socket")
    func stopEndsTunnels() async throws {
        try await Fixture.with(allow: { _ in nil }) { fixture in
            let channel = try await UnixClient.connect(fixture.proxy.socketPath)
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "CONNECT \(fixture.server.host):\(fixture.server.port) HTTP/1.1\r\n\r\n"))
                var iterator = inbound.makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first.map { String(buffer: $0) }?.hasPrefix("HTTP/1.1 200") == true)
                await fixture.proxy.stop()
                // The tunnel ends (EOF or reset) instead of hanging.
                while (try? await iterator.next()) ?? nil != nil {}
            }
            #expect(!FileManager.default.fileExists(atPath: fixture.proxy.socketPath))
        }
    }
}

/// Refusals reported by the proxy.
final class Refusals: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}

/// Polls `condition` (generously: a loaded machine is slow).
func waitUntil(timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw FixtureError("condition not met within \(timeout)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A raw client of a Unix socket.
enum UnixClient {
    static func connect(_ path: String) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
    }

    /// Writes `request` (then half-closes if asked) and returns everything read until EOF.
    static func exchange(socket: String, _ request: String, halfClose: Bool) async throws -> String {
        let channel = try await connect(socket)
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            if halfClose { outbound.finish() }
            var answer = ByteBuffer()
            for try await var chunk in inbound { answer.writeBuffer(&chunk) }
            return String(buffer: answer)
        }
    }
}
