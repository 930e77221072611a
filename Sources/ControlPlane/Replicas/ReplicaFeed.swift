import Foundation
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// Brings the events and record changes of sessions other replicas run to the watchers on this
/// one: the database announces each change (LISTEN/NOTIFY, ``SessionLeases/sessionChanges()``)
/// and the feed reads what is new from the tables, which stay the source of truth, then
/// publishes it to the local ``SessionEventHub`` like the manager publishes its own sessions'.
///
/// Watchers drop anything at or below the last cursor they sent, so an event the feed publishes
/// that the owner here published too (or a watcher's history already held) is never sent twice.
/// That ordering is sound because a session's events have one writer at a time (its lease
/// holder, which appends them in order), so a session's cursors commit in increasing order.
actor ReplicaFeed {
    private let leases: any SessionLeases
    private let hub: SessionEventHub
    private let webURL: URL
    private let logger: Logger
    /// Whether this replica runs the session: its own snapshots reach the hub directly.
    private let runsHere: @Sendable (String) async -> Bool
    /// Followed sessions and the cursor of the last event published for each.
    private var cursors: [String: Int64] = [:]
    /// The `updatedAt` of the last snapshot published for each followed session.
    private var snapshots: [String: Date] = [:]
    private var listener: Task<Void, Never>?

    init(leases: any SessionLeases, hub: SessionEventHub, webURL: URL, logger: Logger, runsHere: @escaping @Sendable (String) async -> Bool) {
        self.leases = leases
        self.hub = hub
        self.webURL = webURL
        self.logger = logger
        self.runsHere = runsHere
    }

    /// Starts listening for the database's announcements.
    func start() {
        let changes = leases.sessionChanges()
        listener = Task { [weak self] in
            for await id in changes {
                await self?.changed(id)
            }
        }
    }

    func stop() {
        listener?.cancel()
        listener = nil
    }

    /// Follows `id` for a watcher that subscribed to the hub just now: everything after the
    /// session's newest stored event (read before the subscription, so nothing falls between
    /// the watcher's history and what the feed publishes).
    func follow(_ id: String, after cursor: Int64, updatedAt: Date) {
        guard cursors[id] == nil else { return }
        cursors[id] = cursor
        snapshots[id] = updatedAt
    }

    /// Publishes whatever of `id` is stored and not yet published: when this replica takes a
    /// session over, before it publishes the session's new events itself.
    func catchUp(_ id: String) async {
        guard cursors[id] != nil else { return }
        await pump(id)
    }

    private func changed(_ id: String) async {
        if id.isEmpty {
            // The listener reconnected: any announcement may have been missed.
            for followed in Array(cursors.keys) { await pump(followed) }
        } else if cursors[id] != nil {
            await pump(id)
        }
    }

    /// Reads `id`'s new events (oldest first) and, if its record changed, the record; publishes
    /// them; stops following a session nobody here watches any more.
    private func pump(_ id: String) async {
        guard await hub.hasWatchers(id) else {
            cursors[id] = nil
            snapshots[id] = nil
            return
        }
        do {
            while let cursor = cursors[id] {
                let page = try await leases.events(sessionID: id, after: cursor, limit: SessionManager.historyPageSize)
                for stored in page {
                    let event = try Netclode_V1_AgentEvent(serializedBytes: stored.payload)
                    await hub.publish(id, .event(PublishedEvent(sessionID: id, cursor: stored.cursor, event: event)))
                }
                if let last = page.last { cursors[id] = last.cursor }
                if page.count < SessionManager.historyPageSize { break }
            }
            guard let record = try await leases.session(id: id), record.updatedAt != snapshots[id] else { return }
            snapshots[id] = record.updatedAt
            if await runsHere(id) { return }
            let session = record.loaded(webURL: webURL)
            await hub.publish(id, .sessionUpdated(session.wire))
            if session.sessionStatus == .deleted {
                await hub.finish(id)
                cursors[id] = nil
                snapshots[id] = nil
            }
        } catch {
            logger.warning("could not read a session another replica changed; retrying at its next change",
                           metadata: ["session_id": "\(id)", "error": "\(error)"])
        }
    }
}
