import ArgumentParser

/// The `netclode` command: one binary for the control plane, the agent, the local forge and the
/// client commands. Each subcommand lives in its own file.
@main
struct Netclode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netclode",
        abstract: "A self-hosted control plane for coding-agent sandboxes with scoped GitHub access.",
        discussion: """
            Start with `netclode dev` (everything embedded, no GitHub account needed), then, in another terminal:

            Example: netclode session create --repo netclode-demo/hello --access write --watch
            """,
        subcommands: [DevCommand.self, ServeCommand.self, DoctorCommand.self, AgentCommand.self, ForgeCommand.self, SessionCommand.self, ReposCommand.self]
    )
}
