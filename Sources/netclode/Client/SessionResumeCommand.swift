import ArgumentParser
import NetclodeClient
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
        try await SessionTransition.run(client, id, done: "Resumed") { try await $0.resume($1) }
    }
}
