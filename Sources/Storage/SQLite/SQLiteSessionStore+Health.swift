import SQLiteNIO

/// The readiness probe of the embedded store.
extension SQLiteSessionStore {
    /// `SELECT 1` on the shared connection: it goes through the same gate and thread pool as real
    /// statements, so it fails once the store is closed and stalls if the connection is stuck,
    /// which is exactly what a readiness check should notice.
    public func ping() async throws {
        let rows = try await run { connection in try await connection.query("SELECT 1 AS ok") }
        guard rows.first?.column("ok")?.integer == 1 else {
            throw StorageError.database("SELECT 1 returned \(rows.first?.description ?? "no row")")
        }
    }
}
