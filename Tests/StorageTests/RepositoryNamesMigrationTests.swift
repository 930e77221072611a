import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Storage

/// Migration 6: sessions stored before it kept clone URLs built from `GITHUB_WEB_URL`; after it,
/// `owner/repo`, in `repos`, `root_repo` and each `repo_status` entry, in order, on both stores.
@Suite("Migration 6: repositories as owner/repo")
struct RepositoryNamesMigrationTests {
    /// A session as a store before version 6 holds it.
    static func legacy(id: String) -> SessionRecord {
        var session = sampleSession(id: id)
        session.repos = ["http://127.0.0.1:43219/demo/hello.git", "https://ghe.example/prefix/Other/tools.js.git", "already/named"]
        session.rootRepo = "http://127.0.0.1:43219/demo/hello.git"
        session.repoStatus = [
            RepoStatusRecord(repo: "https://ghe.example/prefix/Other/tools.js.git", stage: "error", message: "clone failed: \"quoted\""),
            RepoStatusRecord(repo: "http://127.0.0.1:43219/demo/hello.git", stage: "done", message: "Cloned"),
        ]
        return session
    }

    /// What migration 6 makes of ``legacy(id:)``: everything else unchanged.
    static func migrated(id: String) -> SessionRecord {
        var session = legacy(id: id)
        session.repos = ["demo/hello", "Other/tools.js", "already/named"]
        session.rootRepo = "demo/hello"
        session.repoStatus = [
            RepoStatusRecord(repo: "Other/tools.js", stage: "error", message: "clone failed: \"quoted\""),
            RepoStatusRecord(repo: "demo/hello", stage: "done", message: "Cloned"),
        ]
        return session
    }

    static func empty(id: String) -> SessionRecord {
        var session = sampleSession(id: id)
        session.repos = []
        session.repoStatus = []
        session.rootRepo = nil
        return session
    }

    @Test func sqliteConvertsStoredSessions() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-migration6") { directory in
            let path = databasePath(in: directory)
            let logs = LogCapture()
            let before = try await SQLiteSessionStore.open(path: path, logger: logs.logger(), migrations: Migrations.all.filter { $0.version < 6 })
            try await before.insertSession(Self.legacy(id: "old"))
            try await before.insertSession(Self.empty(id: "none"))
            try await before.close()

            let after = try await SQLiteSessionStore.open(path: path, logger: logs.logger())
            #expect(after.appliedMigrations == [6])
            #expect(try await after.session(id: "old") == Self.migrated(id: "old"))
            #expect(try await after.session(id: "none") == Self.empty(id: "none"))
            try await after.close()
        }
    }

    @Test func postgresConvertsStoredSessions() async throws {
        try #require(PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)")
        try await PostgresServer.with { server in
            let store = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger())
            do {
                // Rows as the schema before version 6 held them, then the migration's statements.
                try await store.insertSession(Self.legacy(id: "old"))
                try await store.insertSession(Self.empty(id: "none"))
                let migration = try #require(PostgresMigrations.all.first { $0.version == 6 })
                try await store.execute(migration.statements)
                #expect(try await store.session(id: "old") == Self.migrated(id: "old"))
                #expect(try await store.session(id: "none") == Self.empty(id: "none"))
                // Again: names stay names.
                try await store.execute(migration.statements)
                #expect(try await store.session(id: "old") == Self.migrated(id: "old"))
                try await store.close()
            } catch {
                try? await store.close()
                throw error
            }
        }
    }
}
