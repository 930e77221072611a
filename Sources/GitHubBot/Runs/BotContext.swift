import ControlPlane
import GitHubApp
import Logging
import Storage

/// What every run needs: the sessions, GitHub, the deliveries, the settings, and the bot's commit author.
final class BotContext: Sendable {
    let manager: SessionManager
    let client: GitHubAPIClient
    let broker: TokenBroker
    let store: any WebhookDeliveryStore
    let settings: BotSettings
    let logger: Logger
    private let author = AuthorCache()

    init(manager: SessionManager, broker: TokenBroker, store: any WebhookDeliveryStore, settings: BotSettings, logger: Logger) {
        self.manager = manager
        self.client = broker.client
        self.broker = broker
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    /// `<slug>[bot]` with its noreply address: the author of the bot's commits.
    func botAuthor() async throws -> GitAuthor {
        try await author.value { [client] in try await client.botAuthor() }
    }

    private actor AuthorCache {
        var cached: GitAuthor?
        func value(_ fetch: @Sendable () async throws -> GitAuthor) async throws -> GitAuthor {
            if let cached { return cached }
            let author = try await fetch()
            cached = author
            return author
        }
    }
}
