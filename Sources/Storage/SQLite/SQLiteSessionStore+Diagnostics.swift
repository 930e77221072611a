import SQLiteNIO

/// Read-only views of the connection's configuration and schema history, for tests and for
/// diagnosing a data directory.
extension SQLiteSessionStore {
    struct Settings: Sendable, Equatable {
        var journalMode: String
        /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        var synchronous: Int
        var foreignKeys: Bool
        /// Milliseconds.
        var busyTimeout: Int
    }

    func settings() async throws -> Settings {
        try await run { connection in
            func value(_ sql: String, _ column: String) async throws -> SQLiteData {
                let rows = try await connection.query(sql)
                guard let value = rows.first?.column(column) else {
                    throw StorageError.database("\(sql) returned no \(column)")
                }
                return value
            }
            return Settings(
                journalMode: try await value("PRAGMA journal_mode", "journal_mode").string ?? "",
                synchronous: try await value("PRAGMA synchronous", "synchronous").integer ?? -1,
                foreignKeys: try await value("PRAGMA foreign_keys", "foreign_keys").bool ?? false,
                busyTimeout: try await value("PRAGMA busy_timeout", "timeout").integer ?? -1
            )
        }
    }

    /// The versions recorded in `schema_migrations`, ascending.
    func recordedMigrations() async throws -> [Int] {
        try await run { connection in
            try await connection.query("SELECT version FROM schema_migrations ORDER BY version")
                .map { row throws(StorageError) in Int(try row.int64("version")) }
        }
    }
}
