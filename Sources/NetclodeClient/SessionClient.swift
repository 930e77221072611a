import ConnectRPC
import NetclodeProto
import SwiftProtobuf

/// Typed calls of `netclode.v1.SessionService` over a ``ConnectClient``: what the CLI, the tests
/// and the benchmark call the API with. Errors are the server's own ``ConnectError``s (code and
/// message), or a ``ConnectError`` with code `unavailable` when the server cannot be reached.
public struct SessionClient: Sendable {
    public static let service = "netclode.v1.SessionService"
    /// Bound for the quick unary calls; a server that takes longer is reported as not answering.
    public static let unaryTimeout: Duration = .seconds(120)

    public let connect: ConnectClient

    public init(connect: ConnectClient) {
        self.connect = connect
    }

    public func create(_ request: Netclode_V1_CreateSessionRequest) async throws -> Netclode_V1_CreateSessionResponse {
        try await connect.unary("\(Self.service)/CreateSession", request, as: Netclode_V1_CreateSessionResponse.self, timeout: Self.unaryTimeout)
    }

    public func get(_ sessionID: String) async throws -> Netclode_V1_GetSessionResponse {
        try await connect.unary("\(Self.service)/GetSession", Netclode_V1_GetSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_GetSessionResponse.self, timeout: Self.unaryTimeout)
    }

    public func list(_ request: Netclode_V1_ListSessionsRequest = .init()) async throws -> Netclode_V1_ListSessionsResponse {
        try await connect.unary("\(Self.service)/ListSessions", request,
                                as: Netclode_V1_ListSessionsResponse.self, timeout: Self.unaryTimeout)
    }

    /// Every page of `request`'s sessions in one response, or the first `limit` of them (then
    /// `nextPageToken` says where the rest would continue).
    public func listAll(_ request: Netclode_V1_ListSessionsRequest, limit: Int? = nil) async throws -> Netclode_V1_ListSessionsResponse {
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

    @discardableResult
    public func delete(_ sessionID: String) async throws -> Netclode_V1_DeleteSessionResponse {
        try await connect.unary("\(Self.service)/DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_DeleteSessionResponse.self, timeout: Self.unaryTimeout)
    }

    /// No client deadline: the server bounds the command by its own timeout.
    public func exec(_ request: Netclode_V1_ExecRequest) async throws -> Netclode_V1_ExecResponse {
        try await connect.unary("\(Self.service)/Exec", request, as: Netclode_V1_ExecResponse.self)
    }

    /// Output as it comes, then the exit code; no client deadline (the server bounds it).
    public func execStream(_ request: Netclode_V1_ExecRequest) -> ConnectResponseStream<Netclode_V1_ExecStreamResponse> {
        connect.serverStream("\(Self.service)/ExecStream", request, as: Netclode_V1_ExecStreamResponse.self)
    }

    /// The run's events until it ends; no client deadline (the server's run timeout bounds it).
    public func runPrompt(_ request: Netclode_V1_RunPromptRequest) -> ConnectResponseStream<Netclode_V1_RunPromptResponse> {
        connect.serverStream("\(Self.service)/RunPrompt", request, as: Netclode_V1_RunPromptResponse.self)
    }

    @discardableResult
    public func cancelRun(_ sessionID: String, runID: String = "") async throws -> Netclode_V1_CancelRunResponse {
        let request = Netclode_V1_CancelRunRequest.with {
            $0.sessionID = sessionID
            $0.runID = runID
        }
        return try await connect.unary("\(Self.service)/CancelRun", request, as: Netclode_V1_CancelRunResponse.self, timeout: Self.unaryTimeout)
    }

    /// History after `afterCursor`, then one `session.updated` snapshot, then live items.
    public func watch(_ sessionID: String, afterCursor: String = "") -> ConnectResponseStream<Netclode_V1_WatchSessionResponse> {
        let request = Netclode_V1_WatchSessionRequest.with {
            $0.sessionID = sessionID
            $0.afterCursor = afterCursor
        }
        return connect.serverStream("\(Self.service)/WatchSession", request, as: Netclode_V1_WatchSessionResponse.self)
    }

    @discardableResult
    public func updateRepoAccess(_ sessionID: String, _ access: String) async throws -> Netclode_V1_UpdateRepoAccessResponse {
        let request = Netclode_V1_UpdateRepoAccessRequest.with {
            $0.type = "repo.access.update"
            $0.sessionID = sessionID
            $0.repoAccess = access
        }
        return try await connect.unary("\(Self.service)/UpdateRepoAccess", request, as: Netclode_V1_UpdateRepoAccessResponse.self, timeout: Self.unaryTimeout)
    }

    @discardableResult
    public func updateRepos(_ request: Netclode_V1_UpdateReposRequest) async throws -> Netclode_V1_UpdateReposResponse {
        try await connect.unary("\(Self.service)/UpdateRepos", request, as: Netclode_V1_UpdateReposResponse.self, timeout: Self.unaryTimeout)
    }

    /// Replaces the session's push policy (nil: back to the default one).
    public func updatePushPolicy(_ sessionID: String, _ policy: Netclode_V1_PushPolicy?) async throws -> Netclode_V1_UpdatePushPolicyResponse {
        let request = Netclode_V1_UpdatePushPolicyRequest.with {
            $0.sessionID = sessionID
            if let policy { $0.pushPolicy = policy }
        }
        return try await connect.unary("\(Self.service)/UpdatePushPolicy", request, as: Netclode_V1_UpdatePushPolicyResponse.self, timeout: Self.unaryTimeout)
    }

    @discardableResult
    public func pause(_ sessionID: String) async throws -> Netclode_V1_PauseSessionResponse {
        try await connect.unary("\(Self.service)/PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_PauseSessionResponse.self, timeout: Self.unaryTimeout)
    }

    @discardableResult
    public func resume(_ sessionID: String) async throws -> Netclode_V1_ResumeSessionResponse {
        try await connect.unary("\(Self.service)/ResumeSession", Netclode_V1_ResumeSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_ResumeSessionResponse.self, timeout: Self.unaryTimeout)
    }
}
