/// A first exchange with PostgreSQL that must finish in time: a server that does not answer
/// (wrong host, a firewall dropping packets) is an error naming it, not a wait forever.
enum ConnectDeadline {
    /// `body`'s result, or ``StorageError/database(_:)`` with `failure` once `deadline` has passed
    /// (`body` is then cancelled).
    static func run<T: Sendable>(_ deadline: Duration, failure: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StorageError.database(failure)
            }
            return value
        }
    }
}
