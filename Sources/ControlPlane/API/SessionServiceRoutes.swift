import ConnectRPC
import Hummingbird
import NetclodeProto
import SwiftProtobuf

/// `netclode.v1.SessionService`: the client API.
enum SessionServiceRoutes {
    static let service = "netclode.v1.SessionService"

    /// Registers every method on `router`, which is expected to authenticate them
    /// (``APITokenMiddleware`` on the server's API group).
    static func register(on router: some RouterMethods, manager: SessionManager, options: ConnectServerOptions = .init()) {
        router.connectUnary("\(service)/CreateSession", Netclode_V1_CreateSessionRequest.self, Netclode_V1_CreateSessionResponse.self, options: options) { request, _ in
            let session = try await connectCall { () async throws(ControlPlaneError) in try await manager.createSession(request) }
            return .with { $0.session = session }
        }
        router.connectUnary("\(service)/GetSession", Netclode_V1_GetSessionRequest.self, Netclode_V1_GetSessionResponse.self, idempotency: .noSideEffects, options: options) { request, _ in
            let session = try await connectCall { () async throws(ControlPlaneError) in try await manager.session(request.sessionID) }
            return .with { $0.session = session }
        }
        router.connectUnary("\(service)/ListSessions", Netclode_V1_ListSessionsRequest.self, Netclode_V1_ListSessionsResponse.self, idempotency: .noSideEffects, options: options) { request, _ in
            try await connectCall { () async throws(ControlPlaneError) in try await manager.listSessions(request) }
        }
        router.connectUnary("\(service)/DeleteSession", Netclode_V1_DeleteSessionRequest.self, Netclode_V1_DeleteSessionResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                let session = try await connectCall { () async throws(ControlPlaneError) in try await manager.deleteSession(request.sessionID) }
                return .with { $0.session = session }
            }
        }
        router.connectUnary("\(service)/Exec", Netclode_V1_ExecRequest.self, Netclode_V1_ExecResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                try await connectCall { () async throws(ControlPlaneError) in try await manager.exec(request) }
            }
        }
        router.connectUnary("\(service)/UpdateRepoAccess", Netclode_V1_UpdateRepoAccessRequest.self, Netclode_V1_UpdateRepoAccessResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                try await connectCall { () async throws(ControlPlaneError) in try await manager.updateRepoAccess(request) }
            }
        }
        router.connectUnary("\(service)/UpdateRepos", Netclode_V1_UpdateReposRequest.self, Netclode_V1_UpdateReposResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                try await connectCall { () async throws(ControlPlaneError) in try await manager.updateRepos(request) }
            }
        }
        router.connectUnary("\(service)/UpdatePushPolicy", Netclode_V1_UpdatePushPolicyRequest.self, Netclode_V1_UpdatePushPolicyResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                try await connectCall { () async throws(ControlPlaneError) in try await manager.updatePushPolicy(request) }
            }
        }
        router.connectUnary("\(service)/PauseSession", Netclode_V1_PauseSessionRequest.self, Netclode_V1_PauseSessionResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                let session = try await connectCall { () async throws(ControlPlaneError) in try await manager.pauseSession(request.sessionID) }
                return .with { $0.session = session }
            }
        }
        router.connectUnary("\(service)/ResumeSession", Netclode_V1_ResumeSessionRequest.self, Netclode_V1_ResumeSessionResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                let session = try await connectCall { () async throws(ControlPlaneError) in try await manager.resumeSession(request.sessionID) }
                return .with { $0.session = session }
            }
        }
        router.connectServerStream("\(service)/RunPrompt", Netclode_V1_RunPromptRequest.self, Netclode_V1_RunPromptResponse.self, options: options) { request, call, stream in
            if try await streamedByHolder(of: request.sessionID, request, call, manager, to: stream) { return }
            let events = try await connectCall { () async throws(ControlPlaneError) in try await manager.runPrompt(request) }
            defer { events.close() }
            try await forward(events, to: stream)
        }
        router.connectUnary("\(service)/CancelRun", Netclode_V1_CancelRunRequest.self, Netclode_V1_CancelRunResponse.self, options: options) { request, call in
            try await atHolder(of: request.sessionID, request, call, manager) {
                try await connectCall { () async throws(ControlPlaneError) in try await manager.cancelRun(request) }
            }
        }
        router.connectServerStream("\(service)/ExecStream", Netclode_V1_ExecRequest.self, Netclode_V1_ExecStreamResponse.self, options: options) { request, call, stream in
            if try await streamedByHolder(of: request.sessionID, request, call, manager, to: stream) { return }
            let output = try await connectCall { () async throws(ControlPlaneError) in try await manager.execStream(request) }
            defer { output.close() }
            try await forward(output, to: stream)
        }
        router.connectServerStream("\(service)/WatchSession", Netclode_V1_WatchSessionRequest.self, Netclode_V1_WatchSessionResponse.self, options: options) { request, _, stream in
            let watch = try await connectCall { () async throws(ControlPlaneError) in try await manager.watch(request.sessionID, afterCursor: request.afterCursor) }
            defer { watch.close() }
            try await forward(watch, to: stream)
        }
    }

    /// Serves a unary call about `sessionID` here, or forwards it to the replica that runs the
    /// session and answers with what that replica answered.
    private static func atHolder<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        of sessionID: String, _ request: Request, _ call: ConnectCall, _ manager: SessionManager, here: () async throws -> Response
    ) async throws -> Response {
        if let owner = try await owner(of: sessionID, call, manager) {
            return try await owner.unary(call.method, request, as: Response.self, timeout: call.remainingTime)
        }
        return try await here()
    }

    /// For a streaming call about `sessionID` that another replica runs: relays that replica's
    /// stream and returns true; false to serve it here.
    private static func streamedByHolder<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        of sessionID: String, _ request: Request, _ call: ConnectCall, _ manager: SessionManager, to stream: ConnectServerStream<Response>
    ) async throws -> Bool {
        guard let owner = try await owner(of: sessionID, call, manager) else { return false }
        for try await message in owner.serverStream(call.method, request, as: Response.self, timeout: call.remainingTime) {
            try await stream.send(message)
        }
        return true
    }

    /// The replica running `sessionID` when another one does (calls that need the session's
    /// agent, sandbox or tokens are served there; see Replicas/ReplicaForwarding.swift).
    private static func owner(of sessionID: String, _ call: ConnectCall, _ manager: SessionManager) async throws -> ConnectClient? {
        try await connectCall { () async throws(ControlPlaneError) in try await manager.ownerClient(for: sessionID, call: call) }
    }

    /// Sends each batch of `sequence` as one write; its errors become Connect errors.
    private static func forward<Batches: AsyncSequence, Response: SwiftProtobuf.Message>(_ sequence: Batches, to stream: ConnectServerStream<Response>) async throws
    where Batches.Element == [Response] {
        try await connectErrors { for try await batch in sequence { try await stream.send(contentsOf: batch) } }
    }

    /// The same for batches of shared messages (a watch's live events), sent without encoding
    /// them again.
    private static func forward<Batches: AsyncSequence, Response: SwiftProtobuf.Message>(_ sequence: Batches, to stream: ConnectServerStream<Response>) async throws
    where Batches.Element == [ConnectSharedMessage<Response>] {
        try await connectErrors { for try await batch in sequence { try await stream.send(contentsOf: batch) } }
    }

    private static func connectErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ControlPlaneError {
            throw error.connectError
        }
    }
}
