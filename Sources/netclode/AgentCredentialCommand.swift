import Agent
import ArgumentParser
import Foundation

/// `netclode agent credential get|store|erase`: the git credential helper of a sandbox. git runs
/// it with the request on stdin; it asks the running agent over its Unix socket and prints the
/// current token for that repository. Configured by the agent as
/// `credential.helper=!'<netclode>' agent credential --socket '<socket>'`.
struct AgentCredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential",
        abstract: "git credential helper: answers git with the session's current token (from the running agent).",
        discussion: """
            Example (what the agent configures): git -c credential.helper='!netclode agent credential' fetch
            """
    )

    @Option(help: "The agent's socket (default: $NETCLODE_AGENT_SOCKET, else $HOME/.netclode/agent.sock).")
    var socket: String?

    @Argument(help: "The operation git asks for: get, store or erase.")
    var operation: String

    func run() async throws {
        var arguments = [operation]
        if let socket { arguments = ["--socket", socket] + arguments }
        let status = await CredentialHelperClient.main(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        if status != 0 { throw ExitCode(status) }
    }
}
