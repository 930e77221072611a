import ConnectRPC
import HTTPTypes
import Hummingbird
import NetclodeProto

/// `netclode.v1.AgentService`: the channel agents dial back on, authenticated with their
/// per-session secret (not the API token).
enum AgentServiceRoutes {
    static let service = "netclode.v1.AgentService"

    /// The secret is checked by the manager, which knows the session; a call without any bearer
    /// credential is refused by ``AgentCredentialMiddleware`` on `router` before its body is read.
    static func register(on router: some RouterMethods, manager: SessionManager, options: ConnectServerOptions = .init()) {
        router.connectServerStream("\(service)/Attach", Netclode_V1_AttachRequest.self, Netclode_V1_AgentCommand.self, options: options) { request, call, stream in
            let secret = try agentSecret(call.requestHeaders)
            if let holder = try await holder(of: request.sessionID, call, manager) {
                for try await command in holder.serverStream(call.method, request, as: Netclode_V1_AgentCommand.self) { try await stream.send(command) }
                return
            }
            let commands = try await connectCall { () async throws(ControlPlaneError) in
                try await manager.attachAgent(sessionID: request.sessionID, secret: secret)
            }
            for await command in commands { try await stream.send(command) }
        }
        router.connectUnary("\(service)/Report", Netclode_V1_AgentReport.self, Netclode_V1_AgentReportResponse.self, options: options) { report, call in
            let secret = try agentSecret(call.requestHeaders)
            if let holder = try await holder(of: report.sessionID, call, manager) {
                return try await holder.unary(call.method, report, as: Netclode_V1_AgentReportResponse.self, timeout: call.remainingTime)
            }
            try await connectCall { () async throws(ControlPlaneError) in try await manager.handleReport(report, secret: secret) }
            return Netclode_V1_AgentReportResponse()
        }
    }

    /// The replica running the agent's session when another one does (see
    /// ``SessionManager/agentOwnerClient(for:call:)``).
    private static func holder(of sessionID: String, _ call: ConnectCall, _ manager: SessionManager) async throws -> ConnectClient? {
        try await connectCall { () async throws(ControlPlaneError) in try await manager.agentOwnerClient(for: sessionID, call: call) }
    }

    static let missingSecret = ConnectError(.unauthenticated, "missing agent secret: send `Authorization: Bearer <NETCLODE_AGENT_SECRET>`")

    private static func agentSecret(_ headers: HTTPFields) throws(ConnectError) -> String {
        guard let secret = BearerToken.from(headers) else { throw missingSecret }
        return secret
    }
}
