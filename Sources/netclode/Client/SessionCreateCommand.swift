import ArgumentParser
import Foundation
import NetclodeClient
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
            ready; it exits 1 when the session ends in error or a repository failed to clone. With \
            --prompt it then runs the agent on the prompt like `session run` and exits with the \
            agent's exit code.

            Example:
              netclode session create --repo owner/repo --repo owner/other --access write --name my-feature --watch
              netclode session create --repo owner/repo --access write --prompt "fix the failing test and push a branch"
              netclode session create --repo owner/repo --access write --push-branch 'netclode/*' --allow-force-push false
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

    @Option(help: ArgumentHelp("Once the repositories are cloned, run the agent on this prompt and stream it (implies --watch).", valueName: "prompt"))
    var prompt: String?

    @Option(name: .customLong("agent-command"), help: ArgumentHelp("The session's own agent command as a JSON array, one the server allows, e.g. '[\"aider\", \"--message\", \"{prompt}\"]'.", valueName: "json"))
    var agentCommand: String?

    @Option(name: .customLong("git-author"), help: ArgumentHelp("Attribute the session's commits to this person instead of the App's bot.", valueName: "\"Name <email>\""))
    var gitAuthor: String?

    @Option(name: .customLong("credential-mode"), help: "proxy (no token in the sandbox; git goes through the control plane) or token (the server's NETCLODE_CREDENTIAL_MODE by default).")
    var credentialMode: CredentialModeArgument?

    @OptionGroup var policy: PushPolicyOptions

    func validate() throws {
        if let prompt, prompt.allSatisfy(\.isWhitespace) { throw ValidationError("--prompt is empty: say what the agent should do") }
        if let agentCommand, (try? JSONDecoder().decode([String].self, from: Data(agentCommand.utf8))) == nil {
            throw ValidationError("--agent-command must be a JSON array of strings, e.g. '[\"claude\", \"-p\", \"{prompt}\"]'")
        }
    }

    func run() async throws {
        var exitCode: Int32 = 0
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let request = Netclode_V1_CreateSessionRequest.with {
                $0.type = "session.create"
                $0.name = name ?? ""
                $0.repos = repos
                $0.repoAccess = access?.rawValue ?? ""
                $0.blobless = blobless
                if let agentCommand { $0.agentCommand = (try? JSONDecoder().decode([String].self, from: Data(agentCommand.utf8))) ?? [] }
                $0.gitAuthor = gitAuthor ?? ""
                $0.credentialMode = credentialMode?.rawValue ?? ""
                if let policy = policy.policy { $0.pushPolicy = policy }
            }
            let response = try await sessions.create(request)
            let session = response.session
            if client.json {
                try ClientOutput.json(response)
            } else {
                let named = session.name.isEmpty || session.name == session.id ? "" : " (\(session.name))"
                ClientOutput.line("Created session \(session.id)\(named): \(session.status)")
            }
            guard watch || prompt != nil else { return }
            try await SessionWatcher(sessions: sessions, json: client.json).waitUntilReady(session)
            guard let prompt else { return }
            exitCode = try await SessionRunCommand.run(prompt, in: session.id, queue: true, timeout: 0, sessions: sessions, json: client.json)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
