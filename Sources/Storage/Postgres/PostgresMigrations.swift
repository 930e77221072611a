import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, in versions like the SQLite one (``Migrations``), with the same
/// columns: version 1 is the SQLite schema as of its version 4.
///
/// Several replicas may start at once: the migrations run in one transaction that first takes a
/// transaction-level advisory lock, so one replica applies them while the others wait, then see
/// them recorded and skip them.
enum PostgresMigrations {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// `pg_advisory_xact_lock` key: "netclode" in ASCII, as a 64-bit integer.
    static let lockKey: Int64 = 0x6E65_7463_6C6F_6465

    static let all: [Migration] = [
        Migration(version: 1, name: "sessions and events", statements: [
            """
            CREATE TABLE sessions (
                id              TEXT PRIMARY KEY,
                name            TEXT NOT NULL,
                status          TEXT NOT NULL,
                repos           TEXT NOT NULL,              -- JSON array of clone URLs (owner/repo since version 6)
                repo_access     TEXT,
                blobless        BOOLEAN NOT NULL,
                repo_status     TEXT NOT NULL,              -- JSON array of {repo, stage, message}
                created_at      BIGINT NOT NULL,            -- Unix milliseconds
                updated_at      BIGINT NOT NULL,
                error           TEXT,
                agent_command   TEXT NOT NULL DEFAULT '[]', -- JSON array
                git_author      TEXT,
                root_repo       TEXT,
                credential_mode TEXT NOT NULL DEFAULT 'token',
                push_policy     TEXT                        -- JSON; NULL: the default policy
            )
            """,
            "CREATE INDEX sessions_created_at ON sessions (created_at, id)",
            // An identity never hands out a value twice, so cursors are never reused.
            """
            CREATE TABLE events (
                cursor     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                payload    BYTEA NOT NULL,
                created_at BIGINT NOT NULL,
                capped     BOOLEAN NOT NULL DEFAULT FALSE
            )
            """,
            "CREATE INDEX events_session_cursor ON events (session_id, cursor)",
            "CREATE INDEX events_session_capped ON events (session_id, capped, cursor)",
        ]),
        Migration(version: 2, name: "the GitHub bot's webhook deliveries",
                  statements: [WebhookDeliveryTable.create] + WebhookDeliveryTable.indexes),
        // As the SQLite version 6: each clone URL
        // becomes its last two path segments without `.git`.
        Migration(version: 6, name: "repositories as owner/repo, not clone URLs", statements: [
            """
            UPDATE sessions SET repos = (
                SELECT coalesce(json_agg(\(ownerSlashRepo("e.value")) ORDER BY e.ordinality), '[]'::json)::text
                FROM json_array_elements_text(repos::json) WITH ORDINALITY AS e(value, ordinality))
            """,
            "UPDATE sessions SET root_repo = \(ownerSlashRepo("root_repo")) WHERE root_repo IS NOT NULL",
            """
            UPDATE sessions SET repo_status = (
                SELECT coalesce(json_agg(jsonb_set(e.value::jsonb, '{repo}', to_jsonb(\(ownerSlashRepo("e.value->>'repo'")))) ORDER BY e.ordinality), '[]'::json)::text
                FROM json_array_elements(repo_status::json) WITH ORDINALITY AS e(value, ordinality))
            """,
        ]),
        // Replicas (SessionLeases): who holds each session, until when (the database's clock),
        // and a NOTIFY on every event and record change so watchers on every replica wake up.
        // Lease renewals change only lease_until, so they announce nothing.
        Migration(version: 7, name: "session leases and change announcements", statements: [
            "ALTER TABLE sessions ADD COLUMN lease_holder TEXT, ADD COLUMN lease_holder_url TEXT, ADD COLUMN lease_until TIMESTAMPTZ",
            "CREATE INDEX sessions_lease ON sessions (lease_until) WHERE status <> 'deleted'",
            "CREATE INDEX sessions_lease_holder ON sessions (lease_holder)",
            """
            CREATE FUNCTION netclode_announce_events() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(changesChannel)', session_id) FROM (SELECT DISTINCT session_id FROM new_events) AS changed;
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER events_announce AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
                FOR EACH STATEMENT EXECUTE FUNCTION netclode_announce_events()
            """,
            """
            CREATE FUNCTION netclode_announce_session() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(changesChannel)', NEW.id);
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER sessions_announce AFTER UPDATE ON sessions
                FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION netclode_announce_session()
            """,
        ]),
    ]

    /// The `LISTEN` channel of change announcements: a session id per change (migration 7).
    static let changesChannel = "netclode_session_changes"

    /// SQL turning the clone URL `expression` into `owner/repo`; anything without `://` (already
    /// `owner/repo`) is left as it is.
    private static func ownerSlashRepo(_ expression: String) -> String {
        "CASE WHEN \(expression) LIKE '%://%' THEN regexp_replace(regexp_replace(\(expression), '\\.git$', ''), '^.*/([^/]+)/([^/]+)$', '\\1/\\2') ELSE \(expression) END"
    }

    /// Applies the migrations `client`'s database has not recorded; returns the versions applied.
    ///
    /// One transaction under the advisory lock: even `CREATE TABLE IF NOT EXISTS` races with
    /// itself across connections, so nothing is done before the lock is held.
    @discardableResult
    static func apply(_ migrations: [Migration] = all, on client: PostgresClient, logger: Logger) async throws -> [Int] {
        let known = migrations.map(\.version).max() ?? 0
        let applied = try await client.withTransaction(logger: logger) { connection -> [Int] in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                logger: logger)
            var recorded = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                recorded.insert(version)
            }
            if let newest = recorded.max(), newest > known { throw StorageError.unsupportedSchema(newest) }
            var applied: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !recorded.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(now))", logger: logger)
                applied.append(migration.version)
            }
            return applied
        }
        for version in applied {
            logger.info("Applied database migration", metadata: ["version": "\(version)"])
        }
        return applied
    }
}
