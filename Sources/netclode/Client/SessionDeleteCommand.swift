import ArgumentParser
import NetclodeClient
import NetclodeProto

/// `netclode session delete <id>`.
struct SessionDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a session: stop its sandbox and revoke its tokens (its record and events are kept).",
        discussion: """
            Deleting a session that is already deleted is not an error.

            Example:
              netclode session delete 3f2a9c0d1e
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    func run() async throws {
        try await SessionTransition.run(client, id, done: "Deleted") { try await $0.delete($1) }
    }
}
