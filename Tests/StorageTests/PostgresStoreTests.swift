import Foundation
import Testing
import TestSupport
import PostgresNIO
@testable import Storage

/// What only the PostgreSQL store has: its URL, migrations run by several control planes at
/// once, and its lifecycle. (Everything else runs on both stores in the other suites.)
@Suite("PostgreSQL store")
struct PostgresStoreTests {
    @Test("NETCLODE_DATABASE_URL: TCP or a socket directory, sslmode, and no password in what is shown")
    func urls() throws {
        let tcp = try PostgresURL("postgres://netclode:s3cret@db.internal:6543/netclode?sslmode=disable")
        #expect(tcp.description == "postgres://netclode:***@db.internal:6543/netclode?sslmode=disable")
        #expect(tcp.configuration.host == "db.internal" && tcp.configuration.port == 6543 && tcp.configuration.database == "netclode")
        let socket = try PostgresURL("postgresql://netclode@localhost/postgres?host=/run/postgresql")
        #expect(socket.configuration.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(throws: StorageError.self) { try PostgresURL("mysql://x@y/z") }
        #expect(throws: StorageError.self) { try PostgresURL("postgres://db.internal/netclode") }
        #expect(throws: StorageError.self) { try PostgresURL("postgres://u@h/d?sslmode=sometimes") }
    }

    @Test("several control planes open one database at once: the schema is made exactly once; reopening applies nothing",
          .enabled(if: PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)"))
    func concurrentMigrations() async throws {
        try await PostgresServer.with { server in
            let stores = try await withThrowingTaskGroup(of: PostgresSessionStore.self) { group in
                // Not exclusive: the migrations must hold up when replicas (issue 13) start together.
                // The deadline is for liveness, not speed: four openers on a loaded CI machine are slow.
                for _ in 0..<4 {
                    group.addTask { try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120), sharing: .unlocked) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(stores.map(\.appliedMigrations).filter { !$0.isEmpty } == [PostgresMigrations.all.map(\.version)], "one opener applied the schema")
            try await stores[0].insertSession(sampleSession(id: "shared"))
            #expect(try await stores[3].session(id: "shared") != nil, "every opener sees one database")
            for store in stores { try await store.close() }

            let again = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
            #expect(again.appliedMigrations.isEmpty)
            try await again.ping()
            try await again.close()
            await #expect(throws: StorageError.closed) { try await again.ping() }
            try await again.close()  // twice is harmless
        }
    }

    @Test("one control plane per database: a second exclusive open is refused until the first closes",
          .enabled(if: PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)"))
    func ownerLock() async throws {
        try await PostgresServer.with { server in
            let first = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
            let refused = await #expect(throws: StorageError.self) {
                _ = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
            }
            #expect(refused.map { "\($0)".contains("another control plane is using") } == true, "\(String(describing: refused))")
            try await first.close()
            let second = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
            try await second.ping()
            try await second.close()
        }
    }

    @Test("an unreachable database is a clear error naming it, without the password")
    func unreachable() async throws {
        let error = await #expect(throws: StorageError.self) {
            _ = try await PostgresSessionStore.open(url: "postgres://netclode:s3cret@localhost/postgres?host=/nonexistent-netclode", logger: LogCapture().logger(),
                                                  connectDeadline: .seconds(2))
        }
        #expect(error.map { "\($0)".contains("cannot open postgres://netclode:***@localhost") } == true, "\(String(describing: error))")
        #expect(error.map { !"\($0)".contains("s3cret") } == true)
    }
}
