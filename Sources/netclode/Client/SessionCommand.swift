import ArgumentParser

/// `netclode session`: the client commands of the control plane's session API.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Create, inspect, watch and delete sessions on a Netclode control plane.",
        discussion: """
            Every command talks to `netclode serve` over its Connect API. The server comes from --server, \
            else NETCLODE_URL (environment, then a .env file in the working directory), default \
            \(ClientOptions.defaultServer); the API token from --token, else NETCLODE_API_TOKEN.
            --json prints one JSON object per line: the proto3 JSON of the response, or of each watch item.

            Exit codes: 0 success; 1 the server refused or failed the request, or the session ended in error; \
            2 no API token, token rejected or unusable server URL; 3 server unreachable or not answering; \
            64 command-line usage. `session exec` exits with the command's own exit code, `session run` with \
            the agent's.

            Example:
              export NETCLODE_URL=http://127.0.0.1:8080 NETCLODE_API_TOKEN=...
              netclode session create --repo owner/repo --access write --watch
              netclode session list
            """,
        subcommands: [
            SessionCreateCommand.self, SessionListCommand.self, SessionGetCommand.self, SessionDeleteCommand.self,
            SessionEventsCommand.self, SessionExecCommand.self, SessionAccessCommand.self, SessionReposCommand.self, SessionPolicyCommand.self, SessionPauseCommand.self,
            SessionResumeCommand.self, SessionRunCommand.self, SessionCancelCommand.self,
        ]
    )
}
