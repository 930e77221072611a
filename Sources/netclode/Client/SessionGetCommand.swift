import ArgumentParser
import NetclodeProto

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

    @Argument(help: "The session id.")
    var id: String

    func run() async throws {
        try await ClientFailure.reporting {
            let response = try await client.connection().sessionClient().get(id)
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line(SessionRendering.details(response.session))
            }
        }
    }
}
