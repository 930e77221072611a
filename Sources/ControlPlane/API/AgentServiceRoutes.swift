import ConnectRPC
import HTTPTypes
import Hummingbird
import NetclodeProto

/// `netclode.v1.AgentService`: the channel agents dial back on, authenticated with their
/// per-session secret (not the API token).
enum AgentServiceRoutes {
    static let service = "netclode.v1.AgentService"

    /// The secret is checked by the manager, which knows the session; but a call without any
    /// bearer credential is refused on its headers already, before its body is read.
    static func register<Context: RequestContext>(on router: Router<Context>, manager: SessionManager, options: ConnectServerOptions = .init()) {
        var options = options
        options.authorize = { headers throws(ConnectError) in _ = try agentSecret(headers) }
        router.connectServerStream("\(service)/Attach", Netclode_V1_AttachRequest.self, Netclode_V1_AgentCommand.self, options: options) { request, call, stream in
            let secret = try agentSecret(call.requestHeaders)
            let commands = try await connectCall { () async throws(ControlPlaneError) in
                try await manager.attachAgent(sessionID: request.sessionID, secret: secret)
            }
            for await command in commands { try await stream.send(command) }
        }
        router.connectUnary("\(service)/Report", Netclode_V1_AgentReport.self, Netclode_V1_AgentReportResponse.self, options: options) { report, call in
            let secret = try agentSecret(call.requestHeaders)
            try await connectCall { () async throws(ControlPlaneError) in try await manager.handleReport(report, secret: secret) }
            return Netclode_V1_AgentReportResponse()
        }
    }

    private static func agentSecret(_ headers: HTTPFields) throws(ConnectError) -> String {
        guard let secret = BearerToken.from(headers) else {
            throw ConnectError(.unauthenticated, "missing agent secret: send `Authorization: Bearer <NETCLODE_AGENT_SECRET>`")
        }
        return secret
    }
}
