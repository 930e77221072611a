import ConnectRPC
import SwiftProtobuf
import Logging
import NetclodeProto

/// What a watcher receives: a stored event with its cursor, or a snapshot of the session after a
/// change of status.
enum WatchItem: Sendable {
    case event(PublishedEvent)
    case sessionUpdated(Netclode_V1_Session)
}

/// An event as it is published to every watcher of its session: the `WatchSessionResponse` they
/// all send is built once and encoded at most once per codec, not once per watcher.
final class PublishedEvent: Sendable {
    let cursor: Int64
    let event: Netclode_V1_AgentEvent
    let watchResponse: ConnectSharedMessage<Netclode_V1_WatchSessionResponse>

    init(sessionID: String, cursor: Int64, event: Netclode_V1_AgentEvent) {
        self.cursor = cursor
        self.event = event
        self.watchResponse = ConnectSharedMessage(.agentEvent(sessionID: sessionID, cursor: cursor, event))
    }
}

/// Fans a session's live items out to every watcher of that session.
///
/// Each watcher has its own bounded ``WatchInbox``, so one slow reader never delays the others
/// or the agent reporting the events; a watcher is dropped when its watch is closed, or when it
/// falls `inboxCapacity` items behind.
actor SessionEventHub {
    private var watchers: [String: [Int: WatchInbox]] = [:]
    private var nextID = 0
    let inboxCapacity: Int

    init(inboxCapacity: Int) {
        self.inboxCapacity = inboxCapacity
    }

    /// A live inbox of `sessionID`'s items from now on, and the id that unsubscribes it.
    func subscribe(_ sessionID: String) -> (id: Int, inbox: WatchInbox) {
        let inbox = WatchInbox(capacity: inboxCapacity)
        nextID += 1
        watchers[sessionID, default: [:]][nextID] = inbox
        return (nextID, inbox)
    }

    func publish(_ sessionID: String, _ item: WatchItem) {
        for inbox in watchers[sessionID, default: [:]].values { inbox.append(item) }
    }

    /// Ends every watcher of a session (it was deleted).
    func finish(_ sessionID: String) {
        guard let ended = watchers.removeValue(forKey: sessionID) else { return }
        for inbox in ended.values { inbox.finish() }
    }

    /// Ends every watcher of every session (shutdown), as interrupted: their sessions go on.
    func finishAll() {
        for inbox in watchers.values.flatMap(\.values) { inbox.finish(interrupted: true) }
        watchers = [:]
    }

    func hasWatchers(_ sessionID: String) -> Bool { watchers[sessionID]?.isEmpty == false }

    func totalWatcherCount() -> Int { watchers.values.reduce(0) { $0 + $1.count } }

    func unsubscribe(_ sessionID: String, id: Int) {
        watchers[sessionID]?[id]?.finish()
        watchers[sessionID]?[id] = nil
        if watchers[sessionID]?.isEmpty == true { watchers[sessionID] = nil }
    }
}
