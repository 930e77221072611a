import ArgumentParser
import NetclodeProto

/// `netclode session list`.
struct SessionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the sessions: id, name, status, access, repositories and age.",
        discussion: """
            Example:
              netclode session list
              netclode session list --json | jq -r '.sessions[].id'
            """
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientFailure.reporting {
            let response = try await client.connection().sessionClient().list()
            if client.json {
                try ClientOutput.json(response)
            } else if response.sessions.isEmpty {
                ClientOutput.line("No sessions.")
            } else {
                ClientOutput.line(SessionRendering.table(response.sessions))
            }
        }
    }
}
