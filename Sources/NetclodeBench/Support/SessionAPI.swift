import AsyncHTTPClient
import ConnectRPC
import Foundation
import NetclodeProto
import NIOCore
import SwiftProtobuf

/// The benchmark's client of one control plane: the Connect API with the bearer token, on an HTTP
/// client whose pool allows as many connections as the scenarios open at once.
///
/// AsyncHTTPClient's default soft limit is 8 connections per host; 100 watch streams or 16
/// concurrent callers would otherwise queue inside the client and be measured as server latency.
struct SessionAPI: Sendable {
    static let service = "netclode.v1.SessionService"

    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: nil)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    let baseURL: URL
    let client: ConnectClient

    init(baseURL: URL, token: String, codec: ConnectCodec = .proto) {
        self.baseURL = baseURL
        client = ConnectClient(baseURL: baseURL.absoluteString, httpClient: Self.httpClient, codec: codec,
                               headers: [("Authorization", "Bearer \(token)")])
    }

    func call<Request: Message, Response: Message>(_ method: String, _ request: Request, as: Response.Type = Response.self,
                                                   timeout: Duration = .seconds(120)) async throws -> Response {
        try await client.unary("\(Self.service)/\(method)", request, as: Response.self, timeout: timeout)
    }

    func create(name: String, repos: [String] = [], access: String = "") async throws -> Netclode_V1_Session {
        let response: Netclode_V1_CreateSessionResponse = try await call("CreateSession", Netclode_V1_CreateSessionRequest.with {
            $0.type = "session.create"
            $0.name = name
            $0.repos = repos
            $0.repoAccess = access
        })
        return response.session
    }

    func get(_ id: String) async throws -> Netclode_V1_Session {
        let response: Netclode_V1_GetSessionResponse = try await call("GetSession", Netclode_V1_GetSessionRequest.with { $0.sessionID = id })
        return response.session
    }

    func delete(_ id: String) async throws {
        let _: Netclode_V1_DeleteSessionResponse = try await call("DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = id })
    }

    /// Deletes `ids`, `width` at a time.
    func deleteAll(_ ids: [String], width: Int = 8) async throws {
        try await forEachConcurrently(ids, width: width) { try await delete($0) }
    }

    func updateAccess(_ id: String, _ access: String) async throws -> Netclode_V1_UpdateRepoAccessResponse {
        try await call("UpdateRepoAccess", Netclode_V1_UpdateRepoAccessRequest.with {
            $0.type = "repo.access.update"
            $0.sessionID = id
            $0.repoAccess = access
        })
    }

    func pause(_ id: String) async throws {
        let _: Netclode_V1_PauseSessionResponse = try await call("PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = id })
    }

    func resume(_ id: String) async throws {
        let _: Netclode_V1_ResumeSessionResponse = try await call("ResumeSession", Netclode_V1_ResumeSessionRequest.with { $0.sessionID = id })
    }

    func watch(_ id: String, afterCursor: String = "") -> ConnectResponseStream<Netclode_V1_WatchSessionResponse> {
        client.serverStream("\(Self.service)/WatchSession", Netclode_V1_WatchSessionRequest.with {
            $0.sessionID = id
            $0.afterCursor = afterCursor
        }, as: Netclode_V1_WatchSessionResponse.self)
    }

    /// Reads the session's history and live items until `done` says so; fails after `timeout`.
    /// `done` sees each item with the instant it arrived.
    func watch(_ id: String, timeout: Duration, until done: @escaping @Sendable (Netclode_V1_WatchSessionResponse, ContinuousClock.Instant) -> Bool) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await item in watch(id) where done(item, .now) { return true }
                throw BenchError("session \(id): the watch stream ended before the awaited event")
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let finished = try await group.next() ?? false
            group.cancelAll()
            guard finished else { throw BenchError("session \(id): the awaited event did not arrive within \(timeout)") }
        }
    }

    /// Waits until the session reaches `status` (checked through its watch stream's snapshots).
    func waitFor(_ id: String, status: String, timeout: Duration = .seconds(120)) async throws {
        try await watch(id, timeout: timeout) { item, _ in
            if item.session.status == "error" { return true }
            return item.type == "session.updated" && item.session.status == status
        }
        let session = try await get(id)
        guard session.status == status else {
            throw BenchError("session \(id) is \(session.status) (\(session.error)), expected \(status)")
        }
    }
}

/// Runs `body` for each element with at most `width` running at once.
func forEachConcurrently<T: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<width {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}

/// A benchmark that cannot go on, with the reason.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
