import ArgumentParser
import NetclodeProto
import SwiftProtobuf

/// `netclode session create`: a new session, optionally watched until its repos are cloned.
struct SessionCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a session with repositories and an access level.",
        discussion: """
            Prints the new session's id and status. With --watch, shows each repository's clone \
            (a live bar on a terminal, one line per stage otherwise) and returns once the session is \
            ready; it exits 1 when the session ends in error or a repository failed to clone.

            Example:
              netclode session create --repo owner/repo --repo owner/other --access write --name my-feature --watch
            """
    )

    enum Access: String, ExpressibleByArgument, CaseIterable {
        case read, write
    }

    @OptionGroup var client: ClientOptions

    @Option(name: .customLong("repo"), help: ArgumentHelp("A repository: owner/repo or https://github.com/owner/repo (repeatable).", valueName: "owner/repo"))
    var repos: [String] = []

    @Option(help: "read (default) or write.")
    var access: Access?

    @Option(help: "A name for the session (default: its id).")
    var name: String?

    @Flag(help: "Blobless clones (--filter=blob:none): history without file contents until needed.")
    var blobless = false

    @Flag(help: "Follow the clones and return when the session is ready.")
    var watch = false

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let request = Netclode_V1_CreateSessionRequest.with {
                $0.type = "session.create"
                $0.name = name ?? ""
                $0.repos = repos
                $0.repoAccess = access?.rawValue ?? ""
                $0.blobless = blobless
            }
            let response = try await sessions.create(request)
            let session = response.session
            if client.json {
                try ClientOutput.json(response)
            } else {
                let named = session.name.isEmpty || session.name == session.id ? "" : " (\(session.name))"
                ClientOutput.line("Created session \(session.id)\(named): \(session.status)")
            }
            guard watch else { return }
            try await SessionWatcher(sessions: sessions, json: client.json).waitUntilReady(session)
        }
    }
}
