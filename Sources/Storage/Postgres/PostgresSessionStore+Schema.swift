import Foundation
import Logging
import PostgresNIO

/// The schema of a PostgreSQL database, read without changing it (``SchemaStatus``).
extension PostgresSessionStore {
    /// Connects to `url` and reads `schema_migrations` (empty when the table does not exist yet).
    /// Creates nothing, migrates nothing and takes no lock, so it works beside a running control
    /// plane, which holds the database's owner lock. A database that cannot be reached within
    /// `connectDeadline` is an error naming it without its password.
    public static func schemaStatus(url: String, logger: Logger, connectDeadline: Duration = .seconds(15)) async throws -> SchemaStatus {
        let parsed = try PostgresURL(url)
        var configuration = parsed.configuration
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        let outcome: Result<[Int], StorageError>
        do {
            outcome = .success(try await ConnectDeadline.run(connectDeadline, failure: "cannot reach \(parsed): no answer within \(connectDeadline)") {
                try await recordedVersions(client, logger: logger)
            })
        } catch let error as StorageError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(.database("cannot reach \(parsed): \(String(reflecting: error))"))
        }
        running.cancel()
        _ = await running.value
        let recorded = try outcome.get()
        return SchemaStatus(location: parsed.description, recorded: recorded, known: PostgresMigrations.all.map(\.version))
    }

    private static func recordedVersions(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            var exists = false
            for try await value in try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger).decode(Bool.self) {
                exists = value
            }
            guard exists else { return [] }
            var versions: [Int] = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger).decode(Int.self) {
                versions.append(version)
            }
            return versions
        }
    }
}
