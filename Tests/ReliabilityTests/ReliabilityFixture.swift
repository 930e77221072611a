import AsyncHTTPClient
import ConnectRPC
import Foundation
import NIOCore
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

/// A forge, a real `netclode serve` pointed at it, and a Connect client that keeps a transcript of
/// every answer, so ``finish(sourceLocation:)`` can scan it (with the logs, the data directory and
/// the sandboxes' environments) for tokens and private keys.
struct ReliabilityFixture {
    static let service = SessionClient.service

    let forge: ForgeProcess
    var controlPlane: ControlPlaneProcess
    var client: ConnectClient
    let transcript = Transcript()
    var api: SessionClient { SessionClient(connect: client) }

    static func start(repos: [String] = ["demo/hello", "demo/widgets"], imports: [String] = [], tokenTTL: Int? = nil,
                      environment: [String: String] = [:]) async throws -> ReliabilityFixture {
        let forge = try await ForgeProcess.start(repos: repos, imports: imports, uninstalledRepos: ["outsider/secret"], tokenTTL: tokenTTL)
        do {
            let full = ControlPlaneProcess.githubEnvironment(for: forge).merging(environment) { _, new in new }
            let controlPlane = try await ControlPlaneProcess.start(environment: full)
            return ReliabilityFixture(forge: forge, controlPlane: controlPlane, client: client(for: controlPlane))
        } catch {
            await forge.stop()
            throw error
        }
    }

    /// A client on a pool wide enough for many calls at once (the default pool keeps 8 connections).
    static let wideHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: nil)
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    static func client(for controlPlane: ControlPlaneProcess) -> ConnectClient {
        ConnectClient(baseURL: controlPlane.baseURL.absoluteString, httpClient: wideHTTPClient, codec: .json,
                      headers: [("Authorization", "Bearer \(ControlPlaneProcess.apiToken)")])
    }

    /// After a SIGKILL: the same data directory under a new process, as an operator's restart.
    mutating func restartAfterCrash(keepingPort: Bool = false) async throws {
        controlPlane.kill()
        // The kill is asynchronous; the old process must be gone before the new one opens the database.
        let deadline = ContinuousClock.now + .seconds(20)
        while controlPlane.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        controlPlane = try await controlPlane.restart(keepingPort: keepingPort)
        client = Self.client(for: controlPlane)
    }

    // MARK: Calls

    func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(_ method: String, _ request: Request, as: Response.Type = Response.self, timeout: Duration = .seconds(90)) async throws -> Response {
        try await recorded { try await client.unary("\(Self.service)/\(method)", request, as: Response.self, timeout: timeout) }
    }

    func create(repos: [String], access: String = "", name: String = "reliability") async throws -> Netclode_V1_Session {
        try await recorded {
            try await api.create(.with {
                $0.type = "session.create"
                $0.name = name
                $0.repos = repos
                $0.repoAccess = access
            }).session
        }
    }

    /// `body`'s answer, or its Connect error, kept in the transcript.
    private func recorded<Response: SwiftProtobuf.Message>(_ body: () async throws -> Response) async throws -> Response {
        do {
            let response = try await body()
            transcript.record(response)
            return response
        } catch let error as ConnectError {
            transcript.record(error.message)
            throw error
        }
    }

    /// The Connect error `body` fails with (an issue if it succeeds or fails otherwise).
    func connectError(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> ConnectError? {
        do {
            try await body()
            Issue.record("\(what) succeeded, expected an error", sourceLocation: sourceLocation)
        } catch let error as ConnectError {
            return error
        } catch {
            Issue.record("\(what): not a Connect error: \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    func session(_ id: String) async throws -> Netclode_V1_Session {
        try await recorded { try await api.get(id).session }
    }

    func sessions() async throws -> [Netclode_V1_Session] {
        try await recorded { try await api.list() }.sessions
    }

    /// Waits until the session's status is one of `statuses`; records an issue after `timeout`
    /// (or when it fails instead).
    @discardableResult
    func waitFor(_ id: String, status statuses: Set<String>, timeout: Duration = .seconds(90),
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> Netclode_V1_Session {
        do {
            return try await recorded { try await api.waitFor(id, status: statuses, timeout: timeout) }
        } catch let error as ConnectError where error.code == .deadlineExceeded || error.code == .failedPrecondition {
            Issue.record("session \(id): \(error.message), wanted \(statuses.sorted())", sourceLocation: sourceLocation)
            return try await session(id)
        }
    }

    func updateAccess(_ id: String, _ access: String) async throws -> Netclode_V1_UpdateRepoAccessResponse {
        try await recorded { try await api.updateRepoAccess(id, access) }
    }

    func exec(_ id: String, _ command: [String], workdir: String = "") async throws -> Netclode_V1_ExecResponse {
        try await recorded {
            try await api.exec(.with {
                $0.sessionID = id
                $0.command = command
                $0.workdir = workdir
            })
        }
    }

    /// What git in the sandbox may do right now: fetch, and push an empty commit.
    func gitAbilities(_ id: String, workdir: String = "") async throws -> (fetch: Bool, push: Bool, pushError: String) {
        let fetch = try await exec(id, ["git", "fetch", "-q", "origin"], workdir: workdir)
        // A branch of its own, so other sessions' pushes to main never make this one fail.
        let branch = "probe-\(UUID().uuidString.prefix(8).lowercased())"
        let push = try await exec(id, ["sh", "-c", "git commit -q --allow-empty -m probe && git push -q origin HEAD:refs/heads/\(branch)"], workdir: workdir)
        return (fetch.exitCode == 0, push.exitCode == 0, push.stderr)
    }

    /// Asserts the API's access level is what the sandbox's credential actually allows: read
    /// fetches but cannot push, write does both.
    func expectConsistentAccess(_ id: String, workdir: String = "", sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let session = try await session(id)
        let abilities = try await gitAbilities(id, workdir: workdir)
        #expect(abilities.fetch, "session \(id) (\(session.repoAccess)) can fetch", sourceLocation: sourceLocation)
        if session.repoAccess == "write" {
            #expect(abilities.push, "the API says write, so the sandbox pushes: \(abilities.pushError)", sourceLocation: sourceLocation)
        } else {
            #expect(!abilities.push, "the API says \(session.repoAccess), so the sandbox must not push", sourceLocation: sourceLocation)
        }
    }

    /// Watches the session and collects items until `done` says so (an issue after `timeout`).
    func watch(_ id: String, after cursor: String = "", timeout: Duration = .seconds(60),
               until done: @escaping @Sendable ([Netclode_V1_WatchSessionResponse]) -> Bool) async throws -> [Netclode_V1_WatchSessionResponse] {
        do {
            let items = try await api.watch(id, afterCursor: cursor, timeout: timeout, until: done)
            for item in items { transcript.record(item) }
            return items
        } catch let error as ConnectError where error.code == .deadlineExceeded {
            Issue.record("watch of \(id) timed out")
            return []
        }
    }

    /// The stored history of a session: every event up to the snapshot that ends the replay.
    func history(_ id: String, after cursor: String = "") async throws -> [Netclode_V1_WatchSessionResponse] {
        let items = try await watch(id, after: cursor) { items in items.contains { $0.type == "session.updated" } }
        return items.filter { $0.type == "agent.event" }
    }

    // MARK: Teardown

    /// The secrets scan (sandbox environments while they run; then, after a graceful stop, every
    /// file of the control plane's directory, every log and the transcript), then removes everything.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) async {
        let listed = (try? await sessions()) ?? []
        let ids = Set(listed.map(\.id))
        var findings = SecretScan.sandboxProcesses(of: ids)
        if listed.contains(where: { $0.status == "ready" }) {
            #expect(SandboxProcesses.all().contains { ids.contains($0.sessionID) && $0.isAgent },
                    "the environment scan sees the running agents", sourceLocation: sourceLocation)
        }
        await controlPlane.stop()
        findings += SecretScan.files(under: controlPlane.dataDirectory.deletingLastPathComponent())
        findings += SecretScan.text(controlPlane.allLogs(), source: "control-plane and agent logs")
        findings += SecretScan.text(transcript.text, source: "API responses and events")
        #expect(findings.isEmpty, "secrets where none may be: \(findings)", sourceLocation: sourceLocation)
        #expect(transcript.count > 0, "the transcript captured the answers it scans", sourceLocation: sourceLocation)
        await controlPlane.remove()
        await forge.stop()
    }
}

/// Every answer the fixture received, as proto3 JSON (or an error message), for the secrets scan.
final class Transcript: Sendable {
    private let entries = Mutex<[String]>([])

    func record(_ message: any SwiftProtobuf.Message) {
        let text = (try? message.jsonString()) ?? "\(message)"
        entries.withLock { $0.append(text) }
    }

    func record(_ text: String) { entries.withLock { $0.append(text) } }

    var text: String { entries.withLock { $0.joined(separator: "\n") } }
    var count: Int { entries.withLock { $0.count } }
}
