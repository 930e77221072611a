import SQLiteNIO

extension SQLiteConnection {
    /// Runs a statement whose result rows, if any, are of no interest (DDL, pragmas, writes).
    func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await query(sql, binds)
    }
}
