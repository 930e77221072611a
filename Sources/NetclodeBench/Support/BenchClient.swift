import AsyncHTTPClient
import ConnectRPC
import Foundation
import NIOCore
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// The HTTP client every scenario shares, with a pool that allows as many connections as the
/// scenarios open at once.
///
/// AsyncHTTPClient's default soft limit is 8 connections per host; 100 watch streams or 16
/// concurrent callers would otherwise queue inside the client and be measured as server latency.
enum BenchHTTP {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: nil)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

/// What the scenarios add to the API's own client (``NetclodeClient``): the shared wide HTTP
/// client, and the few shapes of call they repeat.
extension SessionClient {
    /// The API of the control plane at `baseURL`, over protobuf on ``BenchHTTP/client``.
    init(baseURL: URL, token: String) {
        self = NetclodeClient(baseURL: baseURL.absoluteString, token: token, codec: .proto, httpClient: BenchHTTP.client).sessions
    }

    func create(name: String, repos: [String] = [], access: String = "") async throws -> Netclode_V1_Session {
        try await create(.with {
            $0.type = "session.create"
            $0.name = name
            $0.repos = repos
            $0.repoAccess = access
        }).session
    }

    /// Deletes `ids`, `width` at a time.
    func deleteAll(_ ids: [String], width: Int = 8) async throws {
        try await forEachConcurrently(ids, width: width) { try await delete($0) }
    }

    func waitFor(_ id: String, status: String, timeout: Duration = .seconds(120)) async throws {
        try await waitFor(id, status: [status], timeout: timeout)
    }

    /// Reads the session's history and live items until `done` says so; fails after `timeout`.
    /// `done` sees each item with the instant it arrived.
    func watch(_ id: String, timeout: Duration, until done: @escaping @Sendable (Netclode_V1_WatchSessionResponse, ContinuousClock.Instant) -> Bool) async throws {
        _ = try await watch(id, timeout: timeout) { items in done(items[items.count - 1], .now) }
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
