import ArgumentParser
import ConnectRPC
import NetclodeClient
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
