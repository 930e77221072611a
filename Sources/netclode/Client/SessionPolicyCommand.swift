import ArgumentParser
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// `netclode session policy <id> [--push-branch glob]... [--allow-force-push b] [--allow-delete b]`.
struct SessionPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Replace a proxy-mode session's push policy.",
        discussion: """
            The git proxy judges every push by the session's policy before anything reaches GitHub; a \
            refused push shows the reason in git's own output (`! [remote rejected] ...`). Whatever the \
            policy, the repository's default branch is never rewritten or deleted, and tags are never \
            deleted. The flags give the whole new policy; with none, the default one comes back (any \
            branch, force pushes and deletions of other branches allowed).

            Example:
              netclode session policy 3f2a9c0d1e --push-branch 'netclode/*' --allow-force-push false --allow-delete false
              netclode session policy 3f2a9c0d1e
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @OptionGroup var policy: PushPolicyOptions

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let response = try await sessions.updatePushPolicy(try await sessions.resolve(id), policy.policy)
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line("Session \(response.session.id) may push \(response.session.pushPolicy.summary)")
            }
        }
    }
}
