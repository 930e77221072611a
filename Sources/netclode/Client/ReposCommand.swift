import ArgumentParser
import ConnectRPC
import NetclodeClient
import NetclodeProto

/// `netclode repos`: the repositories the control plane's GitHub App can reach.
struct ReposCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repos",
        abstract: "List the repositories the GitHub App's installations can reach (what a session may name in --repo).",
        discussion: """
            The control plane lists each installation with a short-lived token that can only read \
            repository metadata (no clone, no push) and revokes it right after. Without GitHub App \
            settings on the server the command fails with "GitHub App not configured".
            Server and token as for `netclode session` (--server/NETCLODE_URL, --token/NETCLODE_API_TOKEN).

            Example:
              netclode repos
              netclode repos --json | jq -r '.repositories[].fullName'
            """
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientFailure.reporting {
            let response = try await client.connection().gitHubClient().listRepos()
            if client.json {
                try ClientOutput.json(response)
            } else if response.repositories.isEmpty {
                ClientOutput.line("No repositories: the GitHub App is not installed on any.")
            } else {
                ClientOutput.line(Self.table(response.repositories))
            }
        }
    }

    static func table(_ repositories: [Netclode_V1_Repository]) -> String {
        Formatting.table(
            header: ["REPOSITORY", "VISIBILITY", "DEFAULT BRANCH", "INSTALLATION"],
            rows: repositories.map { [$0.fullName, $0.private ? "private" : "public", $0.defaultBranch, String($0.installationID)] }
        )
    }
}

extension ClientConnection {
    /// A Connect client (JSON codec) for `GitHubService` that sends the token with every call.
    func gitHubClient() -> GitHubClient {
        GitHubClient(connect: ConnectClient(baseURL: server, codec: .json, headers: [("Authorization", "Bearer \(token)")]))
    }
}
