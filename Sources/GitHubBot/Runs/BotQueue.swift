import Foundation
import Logging
import Storage

/// Which runs go now and which wait: at most ``BotSettings/maxConcurrentRuns`` at once, one per
/// conversation, at most ``BotSettings/maxQueuedRuns`` waiting (in arrival order), and no more
/// than ``BotSettings/runsPerConversationPerHour`` per issue or pull request.
actor BotQueue {
    private let context: BotContext
    private var running: [String: Task<Void, Never>] = [:]
    private var busyConversations: Set<String> = []
    private var waiting: [(delivery: WebhookDeliveryRecord, trigger: Trigger)] = []
    private var stopping = false

    init(context: BotContext) {
        self.context = context
    }

    /// Whether the delivery is running or waiting in this process.
    func isHandling(_ id: String) -> Bool {
        running[id] != nil || waiting.contains { $0.delivery.id == id }
    }

    /// Takes a recorded trigger. `resumed`: a delivery an earlier process (or attempt) accepted,
    /// already counted against the caps.
    func submit(_ delivery: WebhookDeliveryRecord, _ trigger: Trigger, resumed: Bool = false) async {
        guard !stopping, !isHandling(delivery.id) else { return }
        if !resumed {
            // Runs asked for in the hour up to this one (later ones are not its business).
            let count = (try? await context.store.runCount(conversation: trigger.conversation,
                                                           from: delivery.receivedAt.addingTimeInterval(-3600), through: delivery.receivedAt)) ?? 0
            guard count <= context.settings.runsPerConversationPerHour else {
                var run = BotRun(context: context, delivery: delivery, trigger: trigger)
                _ = await run.refuse("This is run \(count) on #\(trigger.number) within an hour; the limit is \(context.settings.runsPerConversationPerHour) (NETCLODE_BOT_RUNS_PER_ISSUE_PER_HOUR). Ask again later.")
                return
            }
        }
        // Again: the count above awaited, and a redelivery of the same delivery may have been
        // taken meanwhile.
        guard !isHandling(delivery.id) else { return }
        if running.count < context.settings.maxConcurrentRuns, !busyConversations.contains(trigger.conversation) {
            start(delivery, trigger)
            return
        }
        guard waiting.count < context.settings.maxQueuedRuns else {
            var run = BotRun(context: context, delivery: delivery, trigger: trigger)
            _ = await run.refuse("Netclode is busy (\(running.count) runs, \(waiting.count) waiting); ask again in a while.")
            return
        }
        waiting.append((delivery, trigger))
        let reason = busyConversations.contains(trigger.conversation)
            ? "another run on this \(trigger.isPullRequest ? "pull request" : "issue") is in progress; this one starts when it ends"
            : "\(running.count) runs are in progress; this one is number \(waiting.count) in line"
        var run = BotRun(context: context, delivery: delivery, trigger: trigger)
        await run.announceQueued(reason)
        // The announcement saved the status comment's id: the run edits that comment.
        if let index = waiting.firstIndex(where: { $0.delivery.id == delivery.id }) {
            waiting[index].delivery = run.delivery
        }
    }

    private func start(_ delivery: WebhookDeliveryRecord, _ trigger: Trigger) {
        busyConversations.insert(trigger.conversation)
        let context = self.context
        running[delivery.id] = Task.detached { [delivery] in
            var delivery = delivery
            delivery.state = .running
            delivery.updatedAt = Date()
            try? await context.store.updateDelivery(delivery)
            var run = BotRun(context: context, delivery: delivery, trigger: trigger)
            _ = await run.perform()
            await self.finished(delivery.id, trigger.conversation)
        }
    }

    private func finished(_ id: String, _ conversation: String) {
        running[id] = nil
        busyConversations.remove(conversation)
        guard !stopping else { return }
        var index = 0
        while index < waiting.count, running.count < context.settings.maxConcurrentRuns {
            let next = waiting[index]
            if busyConversations.contains(next.trigger.conversation) {
                index += 1
            } else {
                waiting.remove(at: index)
                start(next.delivery, next.trigger)
            }
        }
    }

    /// Stops every run where it is; their deliveries stay `queued`/`running` for the next start.
    func stop() async {
        stopping = true
        waiting.removeAll()
        let tasks = Array(running.values)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
