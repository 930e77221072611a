import Logging
import PostgresNIO

/// For tests of a migration against rows written before it: its statements run again, in one
/// transaction, on an open store.
extension PostgresSessionStore {
    func execute(_ statements: [String]) async throws {
        try await client.withTransaction(logger: logger) { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }
}
