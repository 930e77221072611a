import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// An answer that carries the session it changed (`DeleteSession`, `PauseSession`, `ResumeSession`).
protocol SessionChangeResponse: SwiftProtobuf.Message {
    var session: Netclode_V1_Session { get }
}

extension Netclode_V1_DeleteSessionResponse: SessionChangeResponse {}
extension Netclode_V1_PauseSessionResponse: SessionChangeResponse {}
extension Netclode_V1_ResumeSessionResponse: SessionChangeResponse {}

/// What `session delete|pause|resume` share: resolve the id or name, make the one call, then print
/// the JSON answer or `<Done> session <id>: <status>`.
enum SessionTransition {
    static func run<Response: SessionChangeResponse>(
        _ client: ClientOptions, _ reference: String, done: String,
        _ call: @escaping (SessionClient, String) async throws -> Response
    ) async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let response = try await call(sessions, try await sessions.resolve(reference))
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line("\(done) session \(response.session.id): \(response.session.status)")
            }
        }
    }
}
