import ControlPlane
import GitHubApp
import Logging
import Storage

/// What every run needs: the sessions, GitHub, the deliveries and the settings.
final class BotContext: Sendable {
    let manager: SessionManager
    let client: GitHubAPIClient
    let broker: TokenBroker
    let store: any WebhookDeliveryStore
    let settings: BotSettings
    let logger: Logger

    init(manager: SessionManager, broker: TokenBroker, store: any WebhookDeliveryStore, settings: BotSettings, logger: Logger) {
        self.manager = manager
        self.client = broker.client
        self.broker = broker
        self.store = store
        self.settings = settings
        self.logger = logger
    }
}
