import Foundation
import Logging
import SQLiteNIO

/// One step of the schema's history. Versions only ever grow; a released migration is never
/// edited, a change is a new migration.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// Executed in order inside one transaction (SQLite prepares one statement at a time).
    let statements: [String]
}

/// Brings a database file up to the schema this build expects.
///
/// Applied versions are recorded in `schema_migrations`, so reopening an existing file runs only
/// the migrations it has not seen, and each migration runs in its own `BEGIN IMMEDIATE`
/// transaction so that two processes opening the same file at once cannot both apply it.
enum Migrations {
    /// The schema, oldest first.
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "sessions and events",
            statements: [
                """
                CREATE TABLE sessions (
                    id          TEXT PRIMARY KEY NOT NULL,
                    name        TEXT NOT NULL,
                    status      TEXT NOT NULL,
                    repos       TEXT NOT NULL,      -- JSON array of clone URLs (owner/repo since version 6)
                    repo_access TEXT,               -- 'read' / 'write' / NULL
                    blobless    INTEGER NOT NULL,   -- 0 / 1
                    repo_status TEXT NOT NULL,      -- JSON array of {repo, stage, message}
                    created_at  INTEGER NOT NULL,   -- Unix milliseconds
                    updated_at  INTEGER NOT NULL,   -- Unix milliseconds
                    error       TEXT
                )
                """,
                "CREATE INDEX sessions_created_at ON sessions (created_at, id)",
                // AUTOINCREMENT, not a plain rowid alias: cursors must never be reused after the
                // newest events are deleted, or a watcher resuming from an old cursor would skip
                // or repeat events.
                """
                CREATE TABLE events (
                    cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    payload    BLOB NOT NULL,
                    created_at INTEGER NOT NULL     -- Unix milliseconds
                )
                """,
                "CREATE INDEX events_session_cursor ON events (session_id, cursor)",
            ]
        ),
        Migration(
            version: 2,
            name: "runs: agent command, commit author, capped output events",
            statements: [
                "ALTER TABLE sessions ADD COLUMN agent_command TEXT NOT NULL DEFAULT '[]'",  // a JSON array
                "ALTER TABLE sessions ADD COLUMN git_author TEXT",
                // 1 for run output, which the output cap may drop oldest first.
                "ALTER TABLE events ADD COLUMN capped INTEGER NOT NULL DEFAULT 0",
                "CREATE INDEX events_session_capped ON events (session_id, capped, cursor)",
            ]
        ),
        Migration(
            version: 3,
            name: "repositories added mid-session: which one is cloned into the workspace root",
            statements: [
                "ALTER TABLE sessions ADD COLUMN root_repo TEXT",
                // Sessions made before: one repository means it is in the workspace root.
                "UPDATE sessions SET root_repo = json_extract(repos, '$[0]') WHERE json_array_length(repos) = 1",
            ]
        ),
        Migration(
            version: 4,
            name: "credential modes and push policies",
            statements: [
                // Sessions made before ran with the installation token in the sandbox.
                "ALTER TABLE sessions ADD COLUMN credential_mode TEXT NOT NULL DEFAULT 'token'",
                "ALTER TABLE sessions ADD COLUMN push_policy TEXT",  // JSON; NULL: the default policy
            ]
        ),
        Migration(
            version: 5,
            name: "the GitHub bot's webhook deliveries",
            statements: [WebhookDeliveryTable.create] + WebhookDeliveryTable.indexes
        ),
        Migration(
            version: 6,
            name: "repositories as owner/repo, not clone URLs",
            statements: [
                // Clone URLs were built from GITHUB_WEB_URL, so a change of it (or of `netclode
                // dev`'s forge port) left stored sessions pointing at the old address. Each URL
                // becomes its last two path segments without `.git` (`https://github.com/a/b.git`
                // → `a/b`), through a table of the URLs found, since SQLite has no split: `p` is
                // the URL up to its last '/' (rtrim of every other character), the name follows it,
                // the owner is the same step once more.
                "CREATE TEMP TABLE migration6_names (url TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL)",
                """
                INSERT OR IGNORE INTO migration6_names (url, name)
                SELECT u, substr(q, length(rtrim(q, replace(q, '/', ''))) + 1) || '/' || substr(t, length(p) + 1)
                FROM (SELECT u, t, p, substr(p, 1, length(p) - 1) AS q
                      FROM (SELECT u, t, rtrim(t, replace(t, '/', '')) AS p
                            FROM (SELECT u, CASE WHEN u LIKE '%.git' THEN substr(u, 1, length(u) - 4) ELSE u END AS t
                                  FROM (SELECT j.value AS u FROM sessions, json_each(sessions.repos) AS j
                                        UNION SELECT root_repo FROM sessions
                                        UNION SELECT json_extract(j.value, '$.repo') FROM sessions, json_each(sessions.repo_status) AS j)
                                  WHERE instr(u, '://') > 0)))
                """,
                """
                UPDATE sessions SET repos = (
                    SELECT json_group_array(coalesce(m.name, j.value) ORDER BY j.key)
                    FROM json_each(sessions.repos) AS j LEFT JOIN migration6_names AS m ON m.url = j.value)
                """,
                "UPDATE sessions SET root_repo = (SELECT name FROM migration6_names WHERE url = root_repo) WHERE root_repo IN (SELECT url FROM migration6_names)",
                """
                UPDATE sessions SET repo_status = (
                    SELECT json_group_array(json_set(j.value, '$.repo', coalesce(m.name, json_extract(j.value, '$.repo'))) ORDER BY j.key)
                    FROM json_each(sessions.repo_status) AS j LEFT JOIN migration6_names AS m ON m.url = json_extract(j.value, '$.repo'))
                """,
                "DROP TABLE migration6_names",
            ]
        ),
    ]

    /// Applies those of `migrations` that the database has not recorded yet, in version order.
    /// Returns the versions applied (empty when the file was already current).
    ///
    /// Throws ``StorageError/unsupportedSchema(_:)`` if the file records a version newer than any
    /// in `migrations`: an older build must not write to a schema it does not know.
    @discardableResult
    static func apply(
        _ migrations: [Migration] = all,
        on connection: SQLiteConnection,
        logger: Logger
    ) async throws -> [Int] {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY NOT NULL,
                name       TEXT NOT NULL,
                applied_at INTEGER NOT NULL     -- Unix milliseconds
            )
            """
        )

        let known = migrations.map(\.version).max() ?? 0
        let recorded = try await connection.query("SELECT MAX(version) AS version FROM schema_migrations")
        if let newest = recorded.first?.column("version")?.integer, newest > known {
            throw StorageError.unsupportedSchema(Int(newest))
        }

        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            try await connection.execute("BEGIN IMMEDIATE")
            do {
                let existing = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?1",
                    [.integer(migration.version)]
                )
                if existing.isEmpty {
                    for statement in migration.statements {
                        try await connection.execute(statement)
                    }
                    try await connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                        [
                            .integer(migration.version),
                            .text(migration.name),
                            .integer(Int(Millis.encode(Date()))),
                        ]
                    )
                    applied.append(migration.version)
                }
                try await connection.execute("COMMIT")
            } catch {
                try? await connection.execute("ROLLBACK")
                throw error
            }
            if applied.last == migration.version {
                logger.info(
                    "Applied storage migration",
                    metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
                )
            }
        }
        return applied
    }
}
