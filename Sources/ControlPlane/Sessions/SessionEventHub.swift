import SwiftProtobuf
import Logging
import NetclodeProto

/// What a watcher receives: a stored event with its cursor, or a snapshot of the session after a
/// change of status.
enum WatchItem: Sendable {
    case event(cursor: Int64, Netclode_V1_AgentEvent)
    case sessionUpdated(Netclode_V1_Session)
}

/// Fans a session's live items out to every watcher of that session.
///
/// Each watcher gets its own unbounded stream, so one slow reader never delays the others or the
/// agent reporting the events; a watcher that goes away is dropped on its stream's termination.
actor SessionEventHub {
    private var watchers: [String: [Int: AsyncStream<WatchItem>.Continuation]] = [:]
    private var nextID = 0

    /// A live stream of `sessionID`'s items from now on.
    func subscribe(_ sessionID: String) -> AsyncStream<WatchItem> {
        let (stream, continuation) = AsyncStream<WatchItem>.makeStream()
        nextID += 1
        let id = nextID
        watchers[sessionID, default: [:]][id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(sessionID, id: id) }
        }
        return stream
    }

    func publish(_ sessionID: String, _ item: WatchItem) {
        for continuation in watchers[sessionID, default: [:]].values { continuation.yield(item) }
    }

    /// Ends every watcher of a session (it was deleted).
    func finish(_ sessionID: String) {
        guard let ended = watchers.removeValue(forKey: sessionID) else { return }
        for continuation in ended.values { continuation.finish() }
    }

    /// Ends every watcher of every session (shutdown).
    func finishAll() {
        for sessionID in Array(watchers.keys) { finish(sessionID) }
    }

    func watcherCount(_ sessionID: String) -> Int { watchers[sessionID]?.count ?? 0 }

    func totalWatcherCount() -> Int { watchers.values.reduce(0) { $0 + $1.count } }

    private func unsubscribe(_ sessionID: String, id: Int) {
        watchers[sessionID]?[id] = nil
        if watchers[sessionID]?.isEmpty == true { watchers[sessionID] = nil }
    }
}
