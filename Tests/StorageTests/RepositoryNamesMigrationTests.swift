import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Storage

/// Migration 6: sessions stored before it kept clone URLs built from `GITHUB_WEB_URL`; after it,
/// `owner/repo`, in `repos`, `root_repo` and each `repo_status` entry, in order, on both stores.
@Suite("Migration 6: repositories as owner/repo")
struct RepositoryNamesMigrationTests {
    /// Clone URLs as stores before version 6 held them, and what migration 6 makes of them
    /// (a value that is no URL stays as it is).
    static let hello = (url: "http://127.0.0.1:43219/demo/hello.git", name: "demo/hello")
    static let tools = (url: "https://ghe.example/prefix/Other/tools.js.git", name: "Other/tools.js")
    static let named = (url: "already/named", name: "already/named")

    /// A session naming its repositories with `pick` of each pair: everything else is the same.
    static func session(id: String, _ pick: ((url: String, name: String)) -> String) -> SessionRecord {
        var session = sampleSession(id: id)
        session.repos = [pick(hello), pick(tools), pick(named)]
        session.rootRepo = pick(hello)
        session.repoStatus = [
            RepoStatusRecord(repo: pick(tools), stage: "error", message: "clone failed: \"quoted\""),
            RepoStatusRecord(repo: pick(hello), stage: "done", message: "Cloned"),
        ]
        return session
    }

    static func legacy(id: String) -> SessionRecord { session(id: id) { $0.url } }
    static func migrated(id: String) -> SessionRecord { session(id: id) { $0.name } }

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
            let store = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
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
