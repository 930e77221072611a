import Foundation
import Testing
import TestSupport
@testable import Storage

@Suite("Persistence")
struct PersistenceTests {
    @Test("reopening the file brings back sessions and events with the same cursors")
    func restartSurvival() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let path = databasePath(in: directory)
            let logs = LogCapture()

            let first = try await SQLiteSessionStore.open(path: path, logger: logs.logger())
            let sessions = [sampleSession(id: "one", createdAt: msDate(10)), sampleSession(id: "two", createdAt: msDate(20))]
            for session in sessions { try await first.insertSession(session) }
            var written: [StoredEvent] = []
            for index in 0..<50 {
                let id = sessions[index % 2].id
                let payload = Array("e\(index)".utf8) + [0, 0xFF]
                let date = msDate(1_700_000_000_000 + Int64(index))
                let cursor = try await first.appendEvent(sessionID: id, payload: payload, at: date)
                written.append(StoredEvent(cursor: cursor, sessionID: id, payload: payload, createdAt: date))
            }
            try await first.close()

            let second = try await SQLiteSessionStore.open(path: path, logger: logs.logger())
            #expect(try await second.sessions() == sessions)
            for session in sessions {
                #expect(try await second.events(sessionID: session.id, after: 0, limit: 1_000) == written.filter { $0.sessionID == session.id })
            }
            // History continues where it left off.
            let next = try await second.appendEvent(sessionID: "one", payload: [], at: Date())
            #expect(next > written.last!.cursor)
            // Connection settings are per connection: the reopened one still cascades deletes.
            try await second.deleteSession(id: "two")
            #expect((try await second.events(sessionID: "two", after: 0, limit: 1_000)).isEmpty)
            try await second.close()

            let logged = logs.text
            #expect(!logged.contains("e1"))  // payloads are never logged
        }
    }

    @Test("reopening runs each migration once, and only the new ones")
    func migrationsAreIdempotent() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let path = databasePath(in: directory)
            let logs = LogCapture()

            let fresh = try await SQLiteSessionStore.open(path: path, logger: logs.logger())
            #expect(fresh.appliedMigrations == Migrations.all.map(\.version))
            try await fresh.insertSession(sampleSession(id: "survivor"))
            try await fresh.close()

            let again = try await SQLiteSessionStore.open(path: path, logger: logs.logger())
            #expect(again.appliedMigrations.isEmpty)
            #expect(try await again.recordedMigrations() == Migrations.all.map(\.version))
            try await again.close()

            // A later build adds a migration: only that one runs, and the data is untouched.
            let nextVersion = Migrations.all.map(\.version).max()! + 1
            let next = Migration(
                version: nextVersion,
                name: "test: an extra table",
                statements: ["CREATE TABLE extra (id INTEGER PRIMARY KEY)"]
            )
            let upgraded = try await SQLiteSessionStore.open(path: path, logger: logs.logger(), migrations: Migrations.all + [next])
            #expect(upgraded.appliedMigrations == [nextVersion])
            #expect(try await upgraded.recordedMigrations() == Migrations.all.map(\.version) + [nextVersion])
            #expect(try await upgraded.session(id: "survivor") != nil)
            try await upgraded.close()

            let reopened = try await SQLiteSessionStore.open(path: path, logger: logs.logger(), migrations: Migrations.all + [next])
            #expect(reopened.appliedMigrations.isEmpty)
            try await reopened.close()

            #expect(logs.text.components(separatedBy: "Applied storage migration").count - 1 == Migrations.all.count + 1)

            // An older build refuses a file whose schema it does not know.
            await #expect(throws: StorageError.unsupportedSchema(nextVersion)) {
                let old = try await SQLiteSessionStore.open(path: path, logger: logs.logger())
                try await old.close()
            }
        }
    }

    @Test("a failing migration is rolled back entirely")
    func failedMigrationRollsBack() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let path = databasePath(in: directory)
            let nextVersion = Migrations.all.map(\.version).max()! + 1
            let broken = Migration(
                version: nextVersion,
                name: "test: half-valid",
                statements: ["CREATE TABLE half (id INTEGER)", "THIS IS NOT SQL"]
            )
            await #expect(throws: StorageError.self) {
                let store = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger(), migrations: Migrations.all + [broken])
                try await store.close()
            }
            let fixed = Migration(version: nextVersion, name: "test: fixed", statements: ["CREATE TABLE half (id INTEGER)"])
            let store = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger(), migrations: Migrations.all + [fixed])
            #expect(store.appliedMigrations == [nextVersion])
            try await store.close()
        }
    }

    @Test("WAL, synchronous=NORMAL, foreign keys and a busy timeout are set")
    func connectionSettings() async throws {
        try await withStore { store, _ in
            let settings = try await store.settings()
            #expect(settings == .init(journalMode: "wal", synchronous: 1, foreignKeys: true, busyTimeout: 5_000))
        }
    }

    @Test("the database file is created 0600, in a parent directory created if missing")
    func fileMode() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let path = directory.url.appendingPathComponent("data/nested/netclode.db").path
            let store = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger())
            try await store.insertSession(sampleSession(id: "x"))
            _ = try await store.appendEvent(sessionID: "x", payload: [1], at: Date())

            #expect(try permissions(of: path) == 0o600)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try permissions(of: path + "-wal") == 0o600)
            #expect(try permissions(of: directory.url.appendingPathComponent("data/nested").path) == 0o700)
            try await store.close()
        }
    }

    @Test("an existing file with a looser mode is tightened to 0600")
    func existingFileTightened() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let path = databasePath(in: directory)
            let first = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger())
            try await first.close()
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)

            let second = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger())
            #expect(try permissions(of: path) == 0o600)
            try await second.close()
        }
    }

    @Test("closing twice is harmless; later calls fail with closed")
    func closeTwice() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let store = try await SQLiteSessionStore.open(path: databasePath(in: directory), logger: LogCapture().logger())
            try await store.close()
            try await store.close()
            await #expect(throws: StorageError.closed) { _ = try await store.sessions() }
            await #expect(throws: StorageError.closed) {
                _ = try await store.appendEvent(sessionID: "x", payload: [], at: Date())
            }
        }
    }

    @Test("close waits for running operations; each append either lands or fails with closed")
    func closeDuringAppends() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
            let path = databasePath(in: directory)
            let store = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger())
            try await store.insertSession(sampleSession(id: "busy"))

            let landed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var cursors: [Int64] = []
                        for _ in 0..<10_000 {
                            do {
                                cursors.append(try await store.appendEvent(sessionID: "busy", payload: [7], at: Date()))
                            } catch StorageError.closed {
                                return cursors
                            }
                        }
                        return cursors
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
                try await store.close()
                return try await group.reduce(into: []) { $0 += $1 }
            }

            let reopened = try await SQLiteSessionStore.open(path: path, logger: LogCapture().logger())
            let stored = try await reopened.events(sessionID: "busy", after: 0, limit: 100_000)
            #expect(Set(stored.map(\.cursor)) == Set(landed))
            try await reopened.close()
        }
    }
}
