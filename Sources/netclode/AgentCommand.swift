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

            The sandbox runtime hands the agent its secret on standard input (NETCLODE_AGENT_SECRET_FD=0, a line NETCLODE_AGENT_SECRET=...), never in the environment, where commands run in the sandbox could read it.

            Example (what the sandbox runs): echo NETCLODE_AGENT_SECRET=... | NETCLODE_CONTROL_PLANE_URL=http://127.0.0.1:8080 NETCLODE_SESSION_ID=... NETCLODE_AGENT_SECRET_FD=0 netclode agent
            """,
        subcommands: [AgentRunCommand.self, AgentCredentialCommand.self],
        defaultSubcommand: AgentRunCommand.self
    )
}

struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Dial back to the control plane, clone the session's repositories and serve its requests.",
        discussion: "Reads NETCLODE_CONTROL_PLANE_URL, NETCLODE_SESSION_ID and GIT_REPOS from the environment, and its secret from the descriptor NETCLODE_AGENT_SECRET_FD names (else from NETCLODE_AGENT_SECRET)."
    )

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = CommandLogging.logger(label: "netclode.agent", level: logLevel)
        let settings: AgentSettings
        do {
            // Before the secret is read: from here on, commands the agent runs cannot read its
            // memory or /proc files.
            try ProcessHardening.forbidInspection()
            settings = try AgentSettings(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure("\(error)")
        }
        // Nothing started with an inherited environment (git, the credential helper) gets either.
        unsetenv(AgentSettings.secretVariable)
        unsetenv(AgentSettings.secretDescriptorVariable)
        unsetenv(AgentSettings.secretFileVariable)
        try await AgentRuntime(settings: settings, logger: logger).run()
    }
}
