import ArgumentParser
import NetclodeProto

/// `netclode session resume <id>`.
struct SessionResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused session: mint fresh tokens and start its sandbox again (existing clones are kept).",
        discussion: """
            Example:
              netclode session resume 3f2a9c0d1e
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let response = try await sessions.resume(try await sessions.resolve(id))
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line("Resumed session \(response.session.id): \(response.session.status)")
            }
        }
    }
}
