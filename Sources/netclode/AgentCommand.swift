import Agent
import ArgumentParser
import Foundation

/// `netclode agent`: the process inside each sandbox. Started by the control plane's sandbox
/// runtime with its settings in the environment; not meant to be run by hand.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "The sandbox agent (started by the control plane), and git's credential helper.",
        discussion: """
            Not run by hand: the control plane starts `netclode agent` in each session's sandbox with its settings in the environment.

            Example (what the sandbox runs): NETCLODE_CONTROL_PLANE_URL=http://127.0.0.1:8080 NETCLODE_SESSION_ID=... NETCLODE_AGENT_SECRET=... netclode agent
            """,
        subcommands: [AgentRunCommand.self, AgentCredentialCommand.self],
        defaultSubcommand: AgentRunCommand.self
    )
}

struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Dial back to the control plane, clone the session's repositories and serve its requests.",
        discussion: "Reads NETCLODE_CONTROL_PLANE_URL, NETCLODE_SESSION_ID, NETCLODE_AGENT_SECRET and GIT_REPOS from the environment."
    )

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = CommandLogging.logger(label: "netclode.agent", level: logLevel)
        let settings: AgentSettings
        do {
            settings = try AgentSettings(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure("\(error)")
        }
        try await AgentRuntime(settings: settings, logger: logger).run()
    }
}
