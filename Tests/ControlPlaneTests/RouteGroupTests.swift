import AsyncHTTPClient
import ConnectRPC
import Foundation
import GitHubApp
import Hummingbird
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing
import TestSupport
@testable import ControlPlane

/// A feature mounts its own routes on the control plane's server, with or without the API token,
/// and the built-in API keeps its authentication in one middleware.
@Suite struct RouteGroupTests {
    /// A group as a feature would write it: one open route, one behind the API token.
    struct GreetingRoutes: ControlPlaneRouteGroup {
        var path: String { "/greeting" }

        func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
            group.get("open") { _, _ in "hello\n" }
            group.group("private").add(middleware: server.apiTokenMiddleware).get("hello") { _, _ in "secret hello\n" }
        }
    }

    @Test func mountedGroupsServeBesideTheAPIWithTheirOwnAuthentication() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-routes") { directory in
            let environment = EnvironmentSettings([
                "NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken,
                "NETCLODE_DATA_DIR": directory.url.path,
                "NETCLODE_LISTEN": "127.0.0.1:0",
                "NETCLODE_SANDBOX": "none",
            ])
            let logger = LogCapture().logger()
            let settings = try ControlPlaneSettings(settings: environment)
            let server = try await ControlPlaneServer.make(
                settings: settings, github: try GitHubAccess.load(settings: environment, logger: logger),
                store: try await ControlPlaneServer.openStore(settings: settings, logger: logger),
                runtime: ControlPlaneServer.localRuntime(settings: settings, agentExecutable: "/bin/false", hiddenPaths: [], logger: logger), logger: logger
            ).mounting(GreetingRoutes())
            let (ready, readyContinuation) = AsyncStream.makeStream(of: URL.self)
            let group = server.serviceGroup { info in readyContinuation.yield(info.url) }
            try await withThrowingTaskGroup { tasks in
                tasks.addTask { try await group.run() }
                defer { Task { await group.triggerGracefulShutdown() } }
                var readyURLs = ready.makeAsyncIterator()
                let base = try #require(await readyURLs.next()).absoluteString

                #expect(try await Self.call(base + "/greeting/open") == .init(status: 200, body: "hello\n"))
                let refused = try await Self.call(base + "/greeting/private/hello")
                #expect(refused.status == 401)
                #expect(refused.body.contains(#""code":"unauthenticated""#), "\(refused.body)")
                #expect(try await Self.call(base + "/greeting/private/hello", token: ControlPlaneProcess.apiToken) == .init(status: 200, body: "secret hello\n"))

                // The built-in API is still behind its token, and still answers with it.
                let anonymous = try await Self.call(base + "/netclode.v1.SessionService/ListSessions", method: .POST, body: "{}")
                #expect(anonymous.status == 401)
                #expect(anonymous.body.contains("missing API token"), "\(anonymous.body)")
                let listed = try await Self.call(base + "/netclode.v1.SessionService/ListSessions", method: .POST, body: "{}", token: ControlPlaneProcess.apiToken)
                #expect(listed == .init(status: 200, body: "{}"))
                // Observability stays open; a path nobody mounted is not found.
                #expect(try await Self.call(base + "/healthz").status == 200)
                #expect(try await Self.call(base + "/greeting/nothing").status == 404)

                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    struct Answer: Equatable {
        let status: Int
        let body: String
    }

    static func call(_ url: String, method: HTTPMethod = .GET, body: String? = nil, token: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Answer(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}
