import ConnectRPC
import Foundation
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// A forge, a real `netclode serve` pointed at it, and the API's client with the API token:
/// typed calls go through ``NetclodeClient`` as the CLI's do; `call` and `error` make raw calls
/// for the tests of the wire itself.
struct SessionsFixture {
    static let service = SessionClient.service

    let forge: ForgeProcess
    var controlPlane: ControlPlaneProcess
    var client: ConnectClient
    var api: SessionClient { SessionClient(connect: client) }

    static func start(repos: [String] = ["demo/hello", "demo/widgets", "other/tools"], uninstalledRepos: [String] = ["outsider/secret"], withGitHubApp: Bool = true, tokenTTL: Int? = nil,
                      environment extra: [String: String] = [:]) async throws -> SessionsFixture {
        let forge = try await ForgeProcess.start(repos: repos, uninstalledRepos: uninstalledRepos, tokenTTL: tokenTTL)
        do {
            var environment = withGitHubApp ? ControlPlaneProcess.githubEnvironment(for: forge) : [:]
            environment.merge(extra) { _, new in new }
            let controlPlane = try await ControlPlaneProcess.start(environment: environment)
            return SessionsFixture(forge: forge, controlPlane: controlPlane, client: Self.client(for: controlPlane))
        } catch {
            await forge.stop()
            throw error
        }
    }

    /// Runs `body` on a started fixture, then ``finish()``es it whether `body` threw or not.
    static func with(repos: [String] = ["demo/hello", "demo/widgets", "other/tools"], environment: [String: String] = [:],
                     _ body: (SessionsFixture) async throws -> Void) async throws {
        let fixture = try await start(repos: repos, environment: environment)
        do {
            try await body(fixture)
        } catch {
            await fixture.finish()
            throw error
        }
        await fixture.finish()
    }

    static func client(for controlPlane: ControlPlaneProcess, token: String = ControlPlaneProcess.apiToken, codec: ConnectCodec = .json) -> ConnectClient {
        ConnectClient(baseURL: controlPlane.baseURL.absoluteString, codec: codec, headers: [("Authorization", "Bearer \(token)")])
    }

    func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(_ method: String, _ request: Request, as: Response.Type = Response.self) async throws -> Response {
        try await client.unary("\(Self.service)/\(method)", request, as: Response.self, timeout: .seconds(60))
    }

    func create(repos: [String], access: String = "", name: String = "test", configure: (inout Netclode_V1_CreateSessionRequest) -> Void = { _ in }) async throws -> Netclode_V1_Session {
        var request = Netclode_V1_CreateSessionRequest.with {
            $0.type = "session.create"
            $0.name = name
            $0.repos = repos
            $0.repoAccess = access
        }
        configure(&request)
        return try await api.create(request).session
    }

    func session(_ id: String) async throws -> Netclode_V1_Session {
        try await api.get(id).session
    }

    /// Waits until the session has `status` (or records an issue after `timeout`).
    @discardableResult
    func waitFor(_ id: String, status: String, timeout: Duration = .seconds(60)) async throws -> Netclode_V1_Session {
        do {
            return try await api.waitFor(id, status: [status], timeout: timeout)
        } catch let error as ConnectError {
            Issue.record("session \(id): \(error.message), wanted \(status)")
            return try await session(id)
        }
    }

    /// Watches the session and collects items until `done` says so (or records an issue after `timeout`).
    func watch(_ id: String, after cursor: String = "", timeout: Duration = .seconds(60), until done: @escaping @Sendable ([Netclode_V1_WatchSessionResponse]) -> Bool) async throws -> [Netclode_V1_WatchSessionResponse] {
        do {
            return try await api.watch(id, afterCursor: cursor, timeout: timeout, until: done)
        } catch let error as ConnectError where error.code == .deadlineExceeded {
            Issue.record("watch of \(id) timed out")
            return []
        }
    }

    func exec(_ id: String, _ command: [String], workdir: String = "") async throws -> Netclode_V1_ExecResponse {
        try await api.exec(.with {
            $0.sessionID = id
            $0.command = command
            $0.workdir = workdir
        })
    }

    /// The Connect error a call fails with.
    func error<Request: SwiftProtobuf.Message>(_ method: String, _ request: Request, client: ConnectClient? = nil) async -> ConnectError? {
        do {
            _ = try await (client ?? self.client).unary("\(Self.service)/\(method)", request, as: SwiftProtobuf.Google_Protobuf_Empty.self, timeout: .seconds(30))
            Issue.record("\(method) succeeded, expected an error")
            return nil
        } catch let error as ConnectError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// No installation token anywhere on disk or in any log; then everything is stopped and removed.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) async {
        await controlPlane.stop()
        let leaks = Self.filesContaining("ghs_", under: controlPlane.dataDirectory.deletingLastPathComponent())
        #expect(leaks.isEmpty, "installation tokens found in \(leaks)", sourceLocation: sourceLocation)
        #expect(!controlPlane.allLogs().contains("ghs_"), "a token reached a log", sourceLocation: sourceLocation)
        await controlPlane.remove()
        await forge.stop()
    }

    /// Paths of regular files under `directory` whose bytes contain `needle`.
    static func filesContaining(_ needle: String, under directory: URL) -> [String] {
        let needleBytes = Data(needle.utf8)
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var found: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = try? Data(contentsOf: url), data.range(of: needleBytes) != nil else { continue }
            found.append(url.path)
        }
        return found
    }
}
