import AsyncHTTPClient
import ConnectRPC
import Foundation
import NIOCore
import NetclodeClient
import NetclodeProto
import Testing
import TestSupport

/// Several real `netclode serve` replicas on one real PostgreSQL (each started with its own
/// `NETCLODE_ADVERTISE_URL` on a port chosen beforehand), a forge for GitHub, and one
/// `NETCLODE_WORKSPACES_DIR` they share, as replicas on shared storage would.
final class ReplicaCluster: @unchecked Sendable {
    /// For tests that kill a replica: short enough for a quick failover, long enough that a busy
    /// CI machine does not miss two renewals (every 4 s) in a row.
    static let failoverLeaseSeconds = 12
    /// For tests where no replica dies: so long that no renewal, however late, lets one lapse.
    static let steadyLeaseSeconds = 60

    let database: PostgresServer
    let forge: ForgeProcess
    let workspaces: TemporaryDirectory
    let leaseSeconds: Int
    var replicas: [ControlPlaneProcess] = []

    private init(database: PostgresServer, forge: ForgeProcess, workspaces: TemporaryDirectory, leaseSeconds: Int) {
        self.database = database
        self.forge = forge
        self.workspaces = workspaces
        self.leaseSeconds = leaseSeconds
    }

    /// Runs `body` on `count` started replicas, then stops everything whether it threw or not.
    static func with(replicas count: Int, leaseSeconds: Int, _ body: (ReplicaCluster) async throws -> Void) async throws {
        let database = try await PostgresServer.start()
        let forge: ForgeProcess
        do {
            forge = try await ForgeProcess.start(repos: ["demo/hello", "demo/widgets"])
        } catch {
            await database.stop()
            throw error
        }
        let cluster = ReplicaCluster(database: database, forge: forge, workspaces: try TemporaryDirectory(prefix: "netclode-workspaces"),
                                     leaseSeconds: leaseSeconds)
        do {
            for _ in 0..<count { try await cluster.startReplica() }
            try await body(cluster)
        } catch {
            await cluster.finish()
            throw error
        }
        await cluster.finish()
    }

    /// Starts one more replica; returns its index.
    @discardableResult
    func startReplica() async throws -> Int {
        replicas.append(try await ControlPlaneProcess.startReplica(forge: forge, databaseURL: database.url, workspaces: workspaces.path,
                                                                   leaseSeconds: leaseSeconds))
        return replicas.count - 1
    }

    func api(_ index: Int) -> SessionClient {
        SessionClient(connect: ConnectClient(baseURL: replicas[index].baseURL.absoluteString, codec: .json,
                                             headers: [("Authorization", "Bearer \(ControlPlaneProcess.apiToken)")]))
    }

    /// The URL of the replica holding the session's live lease, as the database says.
    func holder(of sessionID: String) async throws -> String? {
        try await database.query("SELECT lease_holder_url FROM sessions WHERE id = '\(sessionID)' AND lease_until >= now()")
            .trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
    }

    func index(ofURL url: String) -> Int? {
        replicas.firstIndex { $0.baseURL.absoluteString == url }
    }

    /// The body of an unauthenticated GET of `path` (`/readyz`, `/metrics`) on replica `index`.
    func get(_ path: String, on index: Int) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: replicas[index].baseURL.absoluteString + path), timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// Every log of every replica, for a failure's message.
    func logs() -> String {
        replicas.enumerated().map { "--- replica \($0.offset) (\($0.element.baseURL)):\n\($0.element.allLogs().suffix(5000))" }.joined(separator: "\n")
    }

    func finish() async {
        for replica in replicas { await replica.remove() }
        await forge.stop()
        await database.stop()
        workspaces.remove()
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
