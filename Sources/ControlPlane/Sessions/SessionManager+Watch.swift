import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// `WatchSession`: stored history after a cursor, then live items, with no gap and no duplicate.
extension SessionManager {
    static let historyPageSize = 500

    /// Subscribes before reading history, then drops live events the history already carried, so
    /// an event appended while the history is being read is delivered exactly once.
    public func watch(_ sessionID: String, afterCursor: String) async throws(ControlPlaneError) -> AsyncThrowingStream<Netclode_V1_WatchSessionResponse, any Error> {
        let record = try await existing(sessionID)
        var cursor: Int64 = 0
        if !afterCursor.isEmpty {
            guard let parsed = Int64(afterCursor), parsed >= 0 else {
                throw .invalidArgument("afterCursor must be a cursor from an earlier event, got \"\(afterCursor)\"")
            }
            cursor = parsed
        }
        let live = await hub.subscribe(sessionID)
        let store = self.store
        let snapshot = record.wire
        let deleted = record.sessionStatus == .deleted
        let start = cursor
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var last = start
                    while true {
                        let page = try await store.events(sessionID: sessionID, after: last, limit: Self.historyPageSize)
                        for stored in page {
                            let event = try Netclode_V1_AgentEvent(serializedBytes: stored.payload)
                            continuation.yield(.agentEvent(sessionID: sessionID, cursor: stored.cursor, event))
                            last = stored.cursor
                        }
                        if page.count < Self.historyPageSize { break }
                    }
                    continuation.yield(.sessionUpdated(snapshot))
                    if deleted {
                        continuation.finish()
                        return
                    }
                    for await item in live {
                        switch item {
                        case .event(let eventCursor, let event) where eventCursor > last:
                            continuation.yield(.agentEvent(sessionID: sessionID, cursor: eventCursor, event))
                            last = eventCursor
                        case .event:
                            continue
                        case .sessionUpdated(let session):
                            continuation.yield(.sessionUpdated(session))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
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
