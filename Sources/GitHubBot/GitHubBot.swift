import ControlPlane
import Foundation
import GitHubApp
import Hummingbird
import Logging
import ServiceLifecycle
import Storage

/// The GitHub bot: "@netclode fix this" on an issue or pull request, answered with a branch and a
/// draft pull request.
///
/// Mounted on the control plane by `netclode serve` and `netclode dev` when
/// `GITHUB_WEBHOOK_SECRET` is set: its webhook route, and a service that resumes unfinished
/// deliveries after a restart and deletes the sessions of finished runs after their retention.
public enum GitHubBot {
    /// `server` with the bot, or unchanged when it is off (no secret: `/webhooks/github` is 404).
    public static func mount(on server: ControlPlaneServer, environment: EnvironmentSettings, logger: Logger) throws -> ControlPlaneServer {
        guard let settings = try BotSettings(settings: environment) else { return server }
        guard let broker = server.manager.github.broker else {
            throw ControlPlaneError.failedPrecondition("GITHUB_WEBHOOK_SECRET is set but the GitHub App is not configured: the bot needs GITHUB_APP_ID and the private key")
        }
        return mount(on: server, settings: settings, broker: broker, logger: logger)
    }

    public static func mount(on server: ControlPlaneServer, settings: BotSettings, broker: TokenBroker, logger: Logger) -> ControlPlaneServer {
        let context = BotContext(manager: server.manager, broker: broker, store: server.deliveries, settings: settings, logger: logger)
        let identity = BotIdentity(client: broker.client, configured: settings.mention)
        let queue = BotQueue(context: context)
        let receiver = WebhookReceiver(signature: WebhookSignature(secrets: settings.secrets), queue: queue, context: context, identity: identity)
        let status = "on (answers @\(settings.mention.map { Mention(handle: $0).handle } ?? "<the App's slug>"))"
        return server
            .mounting(WebhookRoutes(receiver: receiver))
            .running(BotService(context: context, queue: queue, identity: identity), botStatus: status)
    }
}

/// The webhook's route. It carries no API token: the signature is its authentication.
struct WebhookRoutes: ControlPlaneRouteGroup {
    let receiver: WebhookReceiver

    func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        group.post("/webhooks/github") { request, _ in await receiver.receive(request) }
    }
}

/// Resumes deliveries an earlier process left unfinished, then sweeps old sessions until shutdown,
/// when it stops the runs in progress (their deliveries stay unfinished, for the next start).
struct BotService: Service {
    let context: BotContext
    let queue: BotQueue
    let identity: BotIdentity

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await resumeWhenStarted()
            while !Task.isCancelled {
                await sweep()
                try await Task.sleep(for: min(context.settings.sessionRetention, .seconds(300)) + .seconds(1))
            }
        }
        await queue.stop()
    }

    private func resumeWhenStarted() async {
        while await !context.manager.isStarted {
            guard (try? await Task.sleep(for: .milliseconds(100))) != nil else { return }
        }
        guard let unfinished = try? await context.store.deliveries(in: [.queued, .running]), !unfinished.isEmpty else { return }
        // Among replicas, an unfinished delivery may be running on another one right now: only a
        // redelivery from GitHub resumes it (docs/github-bot.md).
        guard !context.manager.isReplica else {
            context.logger.notice("bot: \(unfinished.count) unfinished deliveries are not resumed at start among replicas; redeliver them from the App's settings to resume")
            return
        }
        guard let mention = try? await identity.mention() else {
            context.logger.error("bot: cannot learn the App's slug; \(unfinished.count) unfinished deliveries wait for a redelivery")
            return
        }
        for delivery in unfinished {
            guard let payload = try? JSONDecoder().decode(WebhookPayload.self, from: Data(delivery.payload)),
                  case .run(let trigger) = WebhookIntent.of(event: delivery.event, payload: payload, mention: mention) else { continue }
            context.logger.info("bot: resuming delivery \(delivery.id) (\(trigger.conversation))")
            await queue.submit(delivery, trigger, resumed: true)
        }
    }

    /// Deletes the sessions of runs that finished longer ago than the retention period.
    private func sweep() async {
        let cutoff = Date().addingTimeInterval(-Double(context.settings.sessionRetention.components.seconds))
        guard let finished = try? await context.store.sessionsToClean(finishedBefore: cutoff) else { return }
        for var delivery in finished {
            guard let session = delivery.sessionID else { continue }
            _ = try? await context.manager.deleteSession(session)
            delivery.sessionCleaned = true
            try? await context.store.updateDelivery(delivery)
        }
    }
}
