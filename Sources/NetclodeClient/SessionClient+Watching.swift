import ConnectRPC
import NetclodeProto
import SwiftProtobuf

/// Waiting on a session through its watch stream: no polling, and every wait is bounded.
extension SessionClient {
    public typealias WatchItem = Netclode_V1_WatchSessionResponse

    /// Reads the session's watch (history after `afterCursor`, a snapshot, then live items) until
    /// `done` holds for the items read so far, and returns them. Throws `deadline_exceeded` when
    /// `timeout` passes first, the stream's own error, or `failed_precondition` when the stream
    /// ends (the session was deleted) before `done` held.
    public func watch(_ id: String, afterCursor: String = "", timeout: Duration,
                      until done: @escaping @Sendable ([WatchItem]) -> Bool) async throws -> [WatchItem] {
        let stream = watch(id, afterCursor: afterCursor)
        return try await Self.within(timeout, "the awaited items of session \(id) did not arrive within \(timeout)") {
            var items: [WatchItem] = []
            for try await item in stream {
                items.append(item)
                if done(items) { return items }
            }
            throw ConnectError(.failedPrecondition, "the watch of session \(id) ended before the awaited items arrived")
        }
    }

    /// Waits until the session's status is one of `statuses` and returns it. A session that
    /// reaches `error` (unless awaited) fails the wait with its reason.
    @discardableResult
    public func waitFor(_ id: String, status statuses: Set<String>, timeout: Duration = .seconds(120)) async throws -> Netclode_V1_Session {
        let items = try await watch(id, timeout: timeout) { items in
            guard let session = items.last, session.hasSession else { return false }
            return statuses.contains(session.session.status) || session.session.status == "error"
        }
        let session = items.last!.session
        guard statuses.contains(session.status) else {
            throw ConnectError(.failedPrecondition, "session \(id) is \(session.status) (\(session.error)), not \(statuses.sorted().joined(separator: " or "))")
        }
        return session
    }

    /// The session's watch items from `afterCursor` on, for as long as the caller reads: a stream
    /// that drops (the server restarted, the connection broke, the watcher fell behind and was
    /// closed) is opened again from the last cursor received, so no event is lost or repeated.
    /// `onReconnect` hears each error that caused a reconnection. Ends when the session is deleted;
    /// throws errors that a retry cannot mend (unknown session, bad token).
    public func follow(_ id: String, afterCursor: String = "", retryDelay: Duration = .seconds(1),
                       onReconnect: @escaping @Sendable (ConnectError) -> Void = { _ in }) -> AsyncThrowingStream<WatchItem, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var cursor = afterCursor
                while !Task.isCancelled {
                    do {
                        for try await item in watch(id, afterCursor: cursor) {
                            if item.type == "agent.event", !item.cursor.isEmpty { cursor = item.cursor }
                            continuation.yield(item)
                        }
                        continuation.finish()
                        return
                    } catch {
                        let connectError = error as? ConnectError ?? ConnectError(.unavailable, "\(error)")
                        guard Self.isTransient(connectError), !Task.isCancelled else {
                            continuation.finish(throwing: error)
                            return
                        }
                        onReconnect(connectError)
                        try? await Task.sleep(for: retryDelay)
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Errors after which the same watch, opened again, can go on.
    static func isTransient(_ error: ConnectError) -> Bool {
        switch error.code {
        case .unavailable, .resourceExhausted, .deadlineExceeded, .unknown, .internal, .aborted: true
        default: false
        }
    }

    /// `body`'s result, or `deadline_exceeded` with `message` once `timeout` passes.
    static func within<T: Sendable>(_ timeout: Duration, _ message: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next()!  else { throw ConnectError(.deadlineExceeded, message) }
            return result
        }
    }
}
