import ArgumentParser
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// `netclode session get <id>`.
struct SessionGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a session: every field, and each repository's clone status.",
        discussion: """
            Example:
              netclode session get 3f2a9c0d1e
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let session = try await sessions.session(id)
            let response = Netclode_V1_GetSessionResponse.with { $0.session = session }
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line(SessionRendering.details(response.session))
            }
        }
    }
}
