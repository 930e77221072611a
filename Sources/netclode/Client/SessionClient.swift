import ConnectRPC
import NetclodeProto
import SwiftProtobuf

/// Typed calls of `netclode.v1.SessionService` over a ``ConnectClient``.
struct SessionClient: Sendable {
    static let service = "netclode.v1.SessionService"
    /// Bound for the quick unary calls; a server that takes longer is reported as not answering.
    static let unaryTimeout: Duration = .seconds(120)

    let connect: ConnectClient

    func create(_ request: Netclode_V1_CreateSessionRequest) async throws -> Netclode_V1_CreateSessionResponse {
        try await connect.unary("\(Self.service)/CreateSession", request, as: Netclode_V1_CreateSessionResponse.self, timeout: Self.unaryTimeout)
    }

    func get(_ sessionID: String) async throws -> Netclode_V1_GetSessionResponse {
        try await connect.unary("\(Self.service)/GetSession", Netclode_V1_GetSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_GetSessionResponse.self, timeout: Self.unaryTimeout)
    }

    func list(_ request: Netclode_V1_ListSessionsRequest = .init()) async throws -> Netclode_V1_ListSessionsResponse {
        try await connect.unary("\(Self.service)/ListSessions", request,
                                as: Netclode_V1_ListSessionsResponse.self, timeout: Self.unaryTimeout)
    }

    /// Every page of `request`'s sessions in one response, or the first `limit` of them (then
    /// `nextPageToken` says where the rest would continue).
    func listAll(_ request: Netclode_V1_ListSessionsRequest, limit: Int? = nil) async throws -> Netclode_V1_ListSessionsResponse {
        var request = request
        var collected = Netclode_V1_ListSessionsResponse()
        while true {
            if let limit {
                let remaining = Int32(min(limit - collected.sessions.count, 1000))
                request.pageSize = request.pageSize == 0 ? remaining : min(request.pageSize, remaining)
            }
            let page = try await list(request)
            collected.sessions += page.sessions
            collected.nextPageToken = page.nextPageToken
            if page.nextPageToken.isEmpty { return collected }
            if let limit, collected.sessions.count >= limit { return collected }
            request.pageToken = page.nextPageToken
        }
    }

    func delete(_ sessionID: String) async throws -> Netclode_V1_DeleteSessionResponse {
        try await connect.unary("\(Self.service)/DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_DeleteSessionResponse.self, timeout: Self.unaryTimeout)
    }

    /// No client deadline: the server bounds the command by its own timeout.
    func exec(_ request: Netclode_V1_ExecRequest) async throws -> Netclode_V1_ExecResponse {
        try await connect.unary("\(Self.service)/Exec", request, as: Netclode_V1_ExecResponse.self)
    }

    /// Output as it comes, then the exit code; no client deadline (the server bounds it).
    func execStream(_ request: Netclode_V1_ExecRequest) -> ConnectResponseStream<Netclode_V1_ExecStreamResponse> {
        connect.serverStream("\(Self.service)/ExecStream", request, as: Netclode_V1_ExecStreamResponse.self)
    }

    /// The run's events until it ends; no client deadline (the server's run timeout bounds it).
    func runPrompt(_ request: Netclode_V1_RunPromptRequest) -> ConnectResponseStream<Netclode_V1_RunPromptResponse> {
        connect.serverStream("\(Self.service)/RunPrompt", request, as: Netclode_V1_RunPromptResponse.self)
    }

    func cancelRun(_ sessionID: String, runID: String = "") async throws -> Netclode_V1_CancelRunResponse {
        let request = Netclode_V1_CancelRunRequest.with {
            $0.sessionID = sessionID
            $0.runID = runID
        }
        return try await connect.unary("\(Self.service)/CancelRun", request, as: Netclode_V1_CancelRunResponse.self, timeout: Self.unaryTimeout)
    }

    /// History after `afterCursor`, then one `session.updated` snapshot, then live items.
    func watch(_ sessionID: String, afterCursor: String = "") -> ConnectResponseStream<Netclode_V1_WatchSessionResponse> {
        let request = Netclode_V1_WatchSessionRequest.with {
            $0.sessionID = sessionID
            $0.afterCursor = afterCursor
        }
        return connect.serverStream("\(Self.service)/WatchSession", request, as: Netclode_V1_WatchSessionResponse.self)
    }
}
