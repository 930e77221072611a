import ArgumentParser
import ConnectRPC
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// `netclode session repos <id> --add owner/repo --remove owner/other [--delete-clones]`.
struct SessionReposCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repos",
        abstract: "Add repositories to a session or remove them from it.",
        discussion: """
            A running session gets new tokens covering the new set (the old ones are revoked, so a \
            removed repository is unreachable at once) and its agent clones what was added \
            (`netclode session events <id> --follow` shows the progress). A removed repository's clone \
            stays in the workspace unless --delete-clones is given. A paused session stores the new set \
            and clones it when resumed.

            Paths: a session created with one repository has it in the workspace root, and it stays \
            there; every other repository is cloned into `owner__repo`.

            Example:
              netclode session repos 3f2a9c0d1e --add owner/api --remove owner/old
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @Option(name: .customLong("add"), help: "A repository to add (owner/repo or its GitHub URL); repeatable.")
    var added: [String] = []

    @Option(name: .customLong("remove"), help: "A repository of the session to remove; repeatable.")
    var removed: [String] = []

    @Flag(help: "Also delete the removed repositories' clones.")
    var deleteClones = false

    func validate() throws {
        guard !added.isEmpty || !removed.isEmpty else {
            throw ValidationError("give at least one --add or --remove")
        }
    }

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let sessionID = try await sessions.resolve(id)
            let response = try await sessions.updateRepos(.with {
                $0.sessionID = sessionID
                $0.add = added
                $0.remove = removed
                $0.deleteClones = deleteClones
            })
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line(Self.summary(response))
            }
        }
    }

    /// `Session <id>: repositories a/b, c/d (applied)`, or `(stored; cloned at resume)`.
    static func summary(_ response: Netclode_V1_UpdateReposResponse) -> String {
        let names = response.session.repos.map(Formatting.repoName).joined(separator: ", ")
        let outcome = response.applied ? "applied" : "stored; cloned at resume"
        return "Session \(response.session.id): repositories \(names) (\(outcome))"
    }
}
