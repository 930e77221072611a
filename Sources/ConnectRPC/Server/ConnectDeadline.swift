/// Runs `operation`, cancelling it and throwing `deadline_exceeded` if it is still running at
/// `deadline`. Cancellation is cooperative: a handler that ignores it delays the answer until it
/// returns, but its result is discarded.
func withConnectDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant?,
    timeout: Duration?,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let deadline else { return try await operation() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            let milliseconds = timeout.map { " of \(ConnectTimeout.headerValue(for: $0)) ms" } ?? ""
            throw ConnectError(.deadlineExceeded, "the call's deadline\(milliseconds) expired")
        }
        defer { group.cancelAll() }
        // The first child to finish decides: the result, the handler's error, or the deadline.
        return try await group.next()!
    }
}
