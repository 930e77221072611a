import Foundation
import Testing
import TestSupport
@testable import Storage

/// ``SchemaStatus``: what `netclode doctor` reads of a database, without changing it.
@Suite("Schema status")
struct SchemaStatusTests {
    @Test("SQLite: no file is nil and stays absent; a migrated file is current; a newer schema is reported; a non-database fails")
    func sqlite() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-schema") { directory in
            let logger = LogCapture().logger()
            let path = databasePath(in: directory)
            #expect(try await SQLiteSessionStore.schemaStatus(path: path, logger: logger) == nil)
            #expect(!FileManager.default.fileExists(atPath: path), "reading creates nothing")

            let store = try await SQLiteSessionStore.open(path: path, logger: logger)
            try await store.insertSession(sampleSession())
            let open = try #require(try await SQLiteSessionStore.schemaStatus(path: path, logger: logger))
            #expect(open.isCurrent && open.pending.isEmpty && !open.isNewer, "read beside the open store: \(open)")
            #expect(open.recorded == Migrations.all.map(\.version) && open.expected == Migrations.all.map(\.version).max())
            try await store.close()

            let older = try await SQLiteSessionStore.open(path: directory.url.appendingPathComponent("older.sqlite").path, logger: logger,
                                                          migrations: Array(Migrations.all.prefix(2)))
            try await older.close()
            let behind = try #require(try await SQLiteSessionStore.schemaStatus(path: directory.url.appendingPathComponent("older.sqlite").path, logger: logger))
            #expect(!behind.isCurrent && behind.pending == Array(Migrations.all.map(\.version).dropFirst(2)))

            let newer = try await SQLiteSessionStore.open(path: directory.url.appendingPathComponent("newer.sqlite").path, logger: logger,
                                                          migrations: Migrations.all + [Migration(version: 99, name: "future", statements: ["CREATE TABLE future (x)"])])
            try await newer.close()
            let ahead = try #require(try await SQLiteSessionStore.schemaStatus(path: directory.url.appendingPathComponent("newer.sqlite").path, logger: logger))
            #expect(ahead.isNewer && !ahead.isCurrent)

            let garbage = directory.url.appendingPathComponent("garbage.sqlite")
            try Data(repeating: 0x41, count: 4096).write(to: garbage)
            await #expect(throws: StorageError.self) { try await SQLiteSessionStore.schemaStatus(path: garbage.path, logger: logger) }
        }
    }
}
