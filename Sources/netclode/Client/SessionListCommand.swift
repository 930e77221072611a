import SwiftProtobuf
import ArgumentParser
import NetclodeClient
import NetclodeProto

/// `netclode session list`.
struct SessionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the sessions: id, name, status, access, repositories and age.",
        discussion: """
            Oldest first. Deleted sessions keep their record and history but are left out unless \
            you pass --all (or --status deleted). The server answers in pages; the command fetches \
            them all, or stops after --limit sessions.

            Example:
              netclode session list
              netclode session list --all
              netclode session list --status running --status ready --limit 20
              netclode session list --json | jq -r '.sessions[].id'
            """
    )

    @OptionGroup var client: ClientOptions

    @Flag(help: "Include deleted sessions.")
    var all = false

    @Option(name: .customLong("status"), help: ArgumentHelp(
        "Only sessions in this status (repeatable): creating, cloning, ready, running, paused, error or deleted.",
        valueName: "status"))
    var statuses: [String] = []

    @Option(help: "List at most this many sessions (default: all of them).")
    var limit: Int?

    @Option(name: .customLong("page-size"), help: "Sessions per request, 1 to 1000 (default: the server's, 100).")
    var pageSize: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let pageSize, !(1...1000).contains(pageSize) { throw ValidationError("--page-size must be from 1 to 1000, got \(pageSize)") }
    }

    func run() async throws {
        try await ClientFailure.reporting {
            let request = Netclode_V1_ListSessionsRequest.with {
                $0.statuses = statuses
                $0.includeDeleted = all
                $0.pageSize = Int32(pageSize ?? 0)
            }
            let response = try await client.connection().sessionClient().listAll(request, limit: limit)
            if client.json {
                try ClientOutput.json(response)
            } else if response.sessions.isEmpty {
                ClientOutput.line(all || !statuses.isEmpty ? "No sessions." : "No sessions (deleted ones are hidden; --all shows them).")
            } else {
                ClientOutput.line(SessionRendering.table(response.sessions))
            }
        }
    }
}
