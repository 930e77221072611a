import ArgumentParser
import ConnectRPC
import NetclodeProto
import SwiftProtobuf

/// `netclode session access <id> read|write`.
struct SessionAccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Change a session's repository access level (read: clone and fetch; write: also push).",
        discussion: """
            A running session gets a new token scoped to the new level; its agent switches to it and \
            acknowledges, then the old token is revoked, so a downgrade takes effect at once. A paused \
            session stores the level and applies it when resumed.

            Example:
              netclode session access 3f2a9c0d1e write
            """
    )

    /// The two levels, spelled as the API spells them.
    enum Level: String, ExpressibleByArgument, CaseIterable {
        case read, write
    }

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @Argument(help: "The new access level: read or write.")
    var level: Level

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let response = try await sessions.updateRepoAccess(try await sessions.resolve(id), level.rawValue)
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line(Self.summary(response))
            }
        }
    }

    /// `Session <id>: write access applied`, or `... stored; applied at resume` when the agent was
    /// not running to take it.
    static func summary(_ response: Netclode_V1_UpdateRepoAccessResponse) -> String {
        let outcome = !response.hasApplied || response.applied ? "applied" : "stored; applied at resume"
        return "Session \(response.sessionID): \(response.repoAccess) access \(outcome)"
    }
}

extension SessionClient {
    func updateRepoAccess(_ sessionID: String, _ access: String) async throws -> Netclode_V1_UpdateRepoAccessResponse {
        let request = Netclode_V1_UpdateRepoAccessRequest.with {
            $0.type = "repo.access.update"
            $0.sessionID = sessionID
            $0.repoAccess = access
        }
        return try await connect.unary("\(Self.service)/UpdateRepoAccess", request, as: Netclode_V1_UpdateRepoAccessResponse.self, timeout: Self.unaryTimeout)
    }

    func pause(_ sessionID: String) async throws -> Netclode_V1_PauseSessionResponse {
        try await connect.unary("\(Self.service)/PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_PauseSessionResponse.self, timeout: Self.unaryTimeout)
    }

    func resume(_ sessionID: String) async throws -> Netclode_V1_ResumeSessionResponse {
        try await connect.unary("\(Self.service)/ResumeSession", Netclode_V1_ResumeSessionRequest.with { $0.sessionID = sessionID },
                                as: Netclode_V1_ResumeSessionResponse.self, timeout: Self.unaryTimeout)
    }
}
