import ConnectRPC
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// `WatchSession`: stored history after a cursor, then live items, with no gap and no duplicate.
extension SessionManager {
    static let historyPageSize = 500

    /// Subscribes before reading history, then drops live events the history already carried, so
    /// an event appended while the history is being read is delivered exactly once. The caller
    /// must ``SessionWatch/close()`` the watch when it stops reading.
    public func watch(_ sessionID: String, afterCursor: String) async throws(ControlPlaneError) -> SessionWatch {
        let record = try await existing(sessionID)
        var cursor: Int64 = 0
        if !afterCursor.isEmpty {
            guard let parsed = Int64(afterCursor), parsed >= 0 else {
                throw .invalidArgument("afterCursor must be a cursor from an earlier event, got \"\(afterCursor)\"")
            }
            cursor = parsed
        }
        // A session another replica runs reaches this hub through the feed, from the newest
        // event stored before this subscription (the history read below covers the rest).
        let feedStart = try await feedStart(for: sessionID)
        let (id, inbox) = await hub.subscribe(sessionID)
        if let feedStart { await feed?.follow(sessionID, after: feedStart, updatedAt: record.updatedAt) }
        let hub = self.hub
        return SessionWatch(
            sessionID: sessionID, store: store, inbox: inbox, snapshot: record.wire,
            endsAfterSnapshot: record.sessionStatus == .deleted, after: cursor,
            unsubscribe: { Task { await hub.unsubscribe(sessionID, id: id) } })
    }
}

extension SessionManager {
    /// For a replica: the cursor the feed starts after, read before the watcher subscribes.
    private func feedStart(for sessionID: String) async throws(ControlPlaneError) -> Int64? {
        guard let replica else { return nil }
        do {
            return try await replica.leases.lastEventCursor(sessionID: sessionID)
        } catch {
            throw .unavailable("could not read session \"\(sessionID)\": \(error)")
        }
    }
}

/// The items of one `WatchSession`, in batches: a page of history, the snapshot, then whatever
/// live items queued up since the last batch — so a watcher that falls behind catches up with one
/// write per batch rather than one per event. Live events come as the response every watcher of
/// the session shares (``PublishedEvent``), encoded once for all of them.
public struct SessionWatch: AsyncSequence, Sendable {
    public typealias Element = [ConnectSharedMessage<Netclode_V1_WatchSessionResponse>]

    let sessionID: String
    let store: any SessionStore
    let inbox: WatchInbox
    let snapshot: Netclode_V1_Session
    let endsAfterSnapshot: Bool
    let after: Int64
    let unsubscribe: @Sendable () -> Void

    /// Stops the live part and drops the subscription; safe to call more than once.
    public func close() {
        inbox.finish()
        unsubscribe()
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(watch: self, last: after)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        enum Phase { case history, snapshot, live, done }

        let watch: SessionWatch
        var last: Int64
        var phase = Phase.history

        init(watch: SessionWatch, last: Int64) {
            self.watch = watch
            self.last = last
        }

        public mutating func next() async throws -> Element? {
            while true {
                switch phase {
                case .history:
                    let page = try await watch.store.events(sessionID: watch.sessionID, after: last, limit: SessionManager.historyPageSize)
                    if page.count < SessionManager.historyPageSize { phase = .snapshot }
                    guard !page.isEmpty else { continue }
                    var batch: Element = []
                    batch.reserveCapacity(page.count)
                    for stored in page {
                        let event = try Netclode_V1_AgentEvent(serializedBytes: stored.payload)
                        batch.append(ConnectSharedMessage(.agentEvent(sessionID: watch.sessionID, cursor: stored.cursor, event)))
                        last = stored.cursor
                    }
                    return batch
                case .snapshot:
                    phase = watch.endsAfterSnapshot ? .done : .live
                    return [ConnectSharedMessage(.sessionUpdated(watch.snapshot))]
                case .live:
                    guard let items = await watch.inbox.nextBatch() else {
                        phase = .done
                        watch.close()
                        if watch.inbox.overflowed {
                            throw ControlPlaneError.resourceExhausted(
                                "this watcher fell more than \(watch.inbox.limitDescription) behind and was closed; "
                                    + "watch again with afterCursor=\(last) to resume without a gap")
                        }
                        if watch.inbox.interrupted {
                            throw ControlPlaneError.unavailable(
                                "the control plane is shutting down; watch again (another replica, or this one once it is back) with afterCursor=\(last) to resume without a gap")
                        }
                        return nil
                    }
                    var batch: Element = []
                    for item in items {
                        switch item {
                        case .event(let published) where published.cursor > last:
                            batch.append(published.watchResponse)
                            last = published.cursor
                        case .event:
                            continue  // already sent from the history
                        case .sessionUpdated(let session):
                            batch.append(ConnectSharedMessage(.sessionUpdated(session)))
                        }
                    }
                    if !batch.isEmpty { return batch }
                case .done:
                    return nil
                }
            }
        }
    }
}

extension Netclode_V1_WatchSessionResponse {
    static func agentEvent(sessionID: String, cursor: Int64, _ event: Netclode_V1_AgentEvent) -> Self {
        var response = Self()
        response.type = "agent.event"
        response.sessionID = sessionID
        response.cursor = String(cursor)
        response.event = event
        return response
    }

    static func sessionUpdated(_ session: Netclode_V1_Session) -> Self {
        var response = Self()
        response.type = "session.updated"
        response.session = session
        return response
    }
}
