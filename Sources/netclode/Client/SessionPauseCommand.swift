import ArgumentParser
import NetclodeClient
import NetclodeProto

/// `netclode session pause <id>`.
struct SessionPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a session: stop its sandbox (the workspace stays on disk) and revoke its tokens.",
        discussion: """
            Example:
              netclode session pause 3f2a9c0d1e
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    func run() async throws {
        try await SessionTransition.run(client, id, done: "Paused") { try await $0.pause($1) }
    }
}
