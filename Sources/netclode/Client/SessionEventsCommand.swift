import ConnectRPC
import ArgumentParser
import NetclodeClient
import NetclodeProto

/// `netclode session events <id>`: the session's event history, optionally followed live.
struct SessionEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print a session's events; --follow keeps streaming new ones until Ctrl-C.",
        discussion: """
            Prints the stored history (after --after, when given) and the session's current state \
            (a session.updated line), then stops, or with --follow keeps printing events as they \
            happen. With --json each line is a watch item; its "cursor" can be passed to --after to resume.

            Example:
              netclode session events 3f2a9c0d1e --follow
              netclode session events 3f2a9c0d1e --json --after 42
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @Flag(name: [.long, .customShort("f")], help: "Keep streaming new events until interrupted.")
    var follow = false

    @Option(help: ArgumentHelp("Only events after this cursor (from an earlier --json line).", valueName: "cursor"))
    var after: String?

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let sessionID = try await sessions.resolve(id)
            // Following, a dropped stream (server restart, network, falling behind) is resumed
            // from the last cursor, so nothing is lost or printed twice.
            if follow {
                try await show(sessions.follow(sessionID, afterCursor: after ?? "") { error in
                    ClientOutput.error("netclode: the event stream dropped (\(error.message.isEmpty ? error.code.rawValue : error.message)); reconnecting")
                })
            } else {
                try await show(sessions.watch(sessionID, afterCursor: after ?? ""))
            }
        }
    }

    private func show<Items: AsyncSequence>(_ items: Items) async throws where Items.Element == Netclode_V1_WatchSessionResponse {
        for try await item in items {
            if client.json {
                try ClientOutput.json(item)
            } else {
                ClientOutput.line(EventRendering.line(item))
            }
            // The server sends the first session.updated right after the history.
            if !follow && item.hasSession { return }
        }
    }
}
