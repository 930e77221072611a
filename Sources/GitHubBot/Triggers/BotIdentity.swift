import GitHubApp

/// The handle the bot answers to: `NETCLODE_BOT_MENTION`, or the App's slug as GitHub reports it
/// (`GET /app`, asked once and kept).
actor BotIdentity {
    private let client: GitHubAPIClient
    private var handle: String?

    init(client: GitHubAPIClient, configured: String?) {
        self.client = client
        self.handle = configured.map { Mention(handle: $0).handle }
    }

    func mention() async throws(GitHubError) -> Mention {
        if let handle { return Mention(handle: handle) }
        let slug = try await client.app().slug
        handle = slug
        return Mention(handle: slug)
    }
}
