import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// The embedded ``SessionStore``: one SQLite file under the control plane's data directory.
///
/// The connection runs in WAL mode with `synchronous=NORMAL`: every append is committed to the
/// write-ahead log before it returns (so it survives a crash of the process), while the fsync is
/// left to checkpoints, which is what makes per-event commits cheap. A power loss can lose the
/// last moments of history but never corrupts the file.
///
/// All statements run on sqlite-nio's thread pool over one connection opened in serialised mode,
/// so the store can be shared freely between tasks. Every value is a bound parameter.
///
/// Call ``close()`` before dropping the store.
public final class SQLiteSessionStore: SessionStore {
    /// The database file.
    public let path: String

    private let connection: SQLiteConnection
    private let logger: Logger
    private let gate = OperationGate()
    /// The migration versions this open applied (empty when the file was already current).
    let appliedMigrations: [Int]

    private init(path: String, connection: SQLiteConnection, logger: Logger, appliedMigrations: [Int]) {
        self.path = path
        self.connection = connection
        self.logger = logger
        self.appliedMigrations = appliedMigrations
    }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    ///
    /// Creates the parent directory if missing; the file gets mode 0600.
    public static func open(path: String, logger: Logger) async throws -> SQLiteSessionStore {
        try await open(path: path, logger: logger, migrations: Migrations.all)
    }

    /// ``open(path:logger:)`` with an explicit migration list, so tests can evolve a schema.
    static func open(path: String, logger: Logger, migrations: [Migration]) async throws -> SQLiteSessionStore {
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        try DatabaseFile.prepare(path: path)

        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch let error as SQLiteError {
            throw StorageError.database("cannot open \(path): \(error)")
        }
        let applied: [Int]
        do {
            try await configure(connection)
            applied = try await Migrations.apply(migrations, on: connection, logger: logger)
        } catch {
            try? await connection.close()
            if let error = error as? SQLiteError { throw StorageError.database(error.description) }
            throw error
        }
        logger.debug("Opened session store", metadata: ["path": "\(path)"])
        return SQLiteSessionStore(path: path, connection: connection, logger: logger, appliedMigrations: applied)
    }

    /// Per-connection settings (none of these persist in the file except the journal mode).
    private static func configure(_ connection: SQLiteConnection) async throws {
        // First, so that it governs everything below: it replaces sqlite-nio's retry-forever busy
        // handler, because another process holding the write lock (a backup, a second server
        // started by mistake) should make a write fail after a while rather than hang it.
        try await connection.execute("PRAGMA busy_timeout = 5000")
        let mode = try await connection.query("PRAGMA journal_mode = WAL")
        guard mode.first?.column("journal_mode")?.string?.lowercased() == "wal" else {
            throw StorageError.database("cannot switch to WAL journal mode (got \(mode.first?.description ?? "nothing"))")
        }
        try await connection.execute("PRAGMA synchronous = NORMAL")
        try await connection.execute("PRAGMA foreign_keys = ON")
    }

    // MARK: Sessions

    private static let sessionColumns =
        "id, name, status, repos, repo_access, blobless, repo_status, created_at, updated_at, error, agent_command, git_author, root_repo, credential_mode, push_policy"

    public func insertSession(_ session: SessionRecord) async throws {
        let binds = try Self.binds(for: session)
        try await run { connection in
            do {
                try await connection.execute(
                    "INSERT INTO sessions (\(Self.sessionColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    binds
                )
            } catch let error as SQLiteError
                where error.reason == .constraintPrimaryKeyFailed || error.reason == .constraintUniqueFailed
            {
                throw StorageError.duplicate(session.id)
            }
        }
    }

    public func updateSession(_ session: SessionRecord) async throws {
        let binds = try Self.binds(for: session)
        let updated = try await run { connection in
            try await connection.query(
                """
                UPDATE sessions SET name = ?2, status = ?3, repos = ?4, repo_access = ?5, blobless = ?6,
                    repo_status = ?7, created_at = ?8, updated_at = ?9, error = ?10, agent_command = ?11, git_author = ?12, root_repo = ?13,
                    credential_mode = ?14, push_policy = ?15
                WHERE id = ?1 RETURNING id
                """,
                binds
            )
        }
        guard !updated.isEmpty else { throw StorageError.notFound(session.id) }
    }

    public func session(id: String) async throws -> SessionRecord? {
        let rows = try await run { connection in
            try await connection.query("SELECT \(Self.sessionColumns) FROM sessions WHERE id = ?1", [.text(id)])
        }
        return try rows.first.map(Self.session(from:))
    }

    public func sessions() async throws -> [SessionRecord] {
        let rows = try await run { connection in
            try await connection.query("SELECT \(Self.sessionColumns) FROM sessions ORDER BY created_at, id")
        }
        return try rows.map(Self.session(from:))
    }

    public func deleteSession(id: String) async throws {
        // Events go with it through ON DELETE CASCADE (foreign_keys is on for this connection).
        try await run { connection in
            try await connection.execute("DELETE FROM sessions WHERE id = ?1", [.text(id)])
        }
    }

    // MARK: Events

    public func appendEvent(sessionID: String, payload: [UInt8], at date: Date, capped: Bool) async throws -> Int64 {
        // RETURNING, not last_insert_rowid(): the connection is shared by concurrent appenders, and
        // another insert could land between this one and a separate rowid query.
        // COALESCE: SQLite binds a zero-length blob with no buffer as NULL.
        let rows = try await run { connection in
            do {
                return try await connection.query(
                    "INSERT INTO events (session_id, payload, created_at, capped) VALUES (?1, COALESCE(?2, x''), ?3, ?4) RETURNING cursor",
                    [.text(sessionID), .blob(ByteBuffer(bytes: payload)), .integer(Int(Millis.encode(date))), .integer(capped ? 1 : 0)]
                )
            } catch let error as SQLiteError where error.reason == .constraintForeignKeyFailed {
                throw StorageError.notFound(sessionID)
            }
        }
        guard let row = rows.first else { throw StorageError.database("INSERT … RETURNING returned no row") }
        return try row.int64("cursor")
    }

    public func events(sessionID: String, after cursor: Int64, limit: Int) async throws -> [StoredEvent] {
        guard limit > 0 else { return [] }
        let rows = try await run { connection in
            try await connection.query(
                """
                SELECT cursor, session_id, payload, created_at FROM events
                WHERE session_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3
                """,
                [.text(sessionID), .integer(Int(max(cursor, 0))), .integer(limit)]
            )
        }
        return try rows.map { row throws(StorageError) in
            StoredEvent(
                cursor: try row.int64("cursor"),
                sessionID: try row.text("session_id"),
                payload: try row.bytes("payload"),
                createdAt: try row.date("created_at")
            )
        }
    }

    public func appendEvents(sessionID: String, payloads: [[UInt8]], at date: Date, capped: Bool) async throws -> [Int64] {
        guard !payloads.isEmpty else { return [] }
        // One INSERT of every row: a single statement is atomic without a transaction (the
        // connection is shared, so a BEGIN here would take in other tasks' statements too).
        let rows = (0..<payloads.count).map { index in "(?1, COALESCE(?\(index + 4), x''), ?2, ?3)" }.joined(separator: ", ")
        var binds: [SQLiteData] = [.text(sessionID), .integer(Int(Millis.encode(date))), .integer(capped ? 1 : 0)]
        binds += payloads.map { .blob(ByteBuffer(bytes: $0)) }
        let returned = try await run { connection in
            do {
                return try await connection.query(
                    "INSERT INTO events (session_id, payload, created_at, capped) VALUES \(rows) RETURNING cursor", binds)
            } catch let error as SQLiteError where error.reason == .constraintForeignKeyFailed {
                throw StorageError.notFound(sessionID)
            }
        }
        guard returned.count == payloads.count else {
            throw StorageError.database("INSERT of \(payloads.count) events returned \(returned.count) cursors")
        }
        // RETURNING promises no order; rows get their AUTOINCREMENT cursors in VALUES order.
        return try returned.map { try $0.int64("cursor") }.sorted()
    }

    public func cappedBytes(sessionID: String) async throws -> Int {
        let rows = try await run { connection in
            try await connection.query(
                "SELECT COALESCE(SUM(length(payload)), 0) AS bytes FROM events WHERE session_id = ?1 AND capped = 1",
                [.text(sessionID)])
        }
        return Int(try rows.first?.int64("bytes") ?? 0)
    }

    public func dropOldestCappedEvents(sessionID: String, atLeast bytes: Int) async throws -> (events: Int, bytes: Int) {
        guard bytes > 0 else { return (0, 0) }
        return try await run { connection in
            // The oldest capped events whose running total first reaches `bytes`, in one statement:
            // the window sum is over cursor order, so the cut is exactly "oldest first".
            let rows = try await connection.query(
                """
                DELETE FROM events WHERE cursor IN (
                    SELECT cursor FROM (
                        SELECT cursor, SUM(length(payload)) OVER (ORDER BY cursor) - length(payload) AS before
                        FROM events WHERE session_id = ?1 AND capped = 1
                    ) WHERE before < ?2
                ) RETURNING length(payload) AS bytes
                """,
                [.text(sessionID), .integer(bytes)])
            var freed = 0
            for row in rows { freed += Int(try row.int64("bytes")) }
            return (rows.count, freed)
        }
    }

    // MARK: Lifecycle

    public func close() async throws {
        guard await gate.close() else { return }
        do {
            try await connection.close()
        } catch let error as SQLiteError {
            throw StorageError.database("cannot close \(path): \(error)")
        }
        logger.debug("Closed session store", metadata: ["path": "\(path)"])
    }

    // MARK: Helpers

    /// Runs `body` unless the store is closed, translating driver errors into ``StorageError``.
    func run<T>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try gate.enter()
        defer { gate.leave() }
        do {
            return try await body(connection)
        } catch let error as SQLiteError {
            throw StorageError.database(error.description)
        }
    }

    /// The bound values ?1…?15, in ``sessionColumns`` order.
    private static func binds(for session: SessionRecord) throws(StorageError) -> [SQLiteData] {
        [
            .text(session.id),
            .text(session.name),
            .text(session.status),
            try JSONColumn.encode(session.repos),
            session.repoAccess.map(SQLiteData.text) ?? .null,
            .integer(session.blobless ? 1 : 0),
            try JSONColumn.encode(session.repoStatus),
            .integer(Int(Millis.encode(session.createdAt))),
            .integer(Int(Millis.encode(session.updatedAt))),
            session.error.map(SQLiteData.text) ?? .null,
            try JSONColumn.encode(session.agentCommand),
            session.gitAuthor.map(SQLiteData.text) ?? .null,
            session.rootRepo.map(SQLiteData.text) ?? .null,
            .text(session.credentialMode),
            try session.pushPolicy.map(JSONColumn.encode) ?? .null,
        ]
    }

    private static func session(from row: SQLiteRow) throws(StorageError) -> SessionRecord {
        SessionRecord(
            id: try row.text("id"),
            name: try row.text("name"),
            status: try row.text("status"),
            repos: try row.json("repos", as: [String].self),
            repoAccess: try row.optionalText("repo_access"),
            blobless: try row.bool("blobless"),
            repoStatus: try row.json("repo_status", as: [RepoStatusRecord].self),
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"),
            error: try row.optionalText("error"),
            agentCommand: try row.json("agent_command", as: [String].self),
            gitAuthor: try row.optionalText("git_author"),
            rootRepo: try row.optionalText("root_repo"),
            credentialMode: try row.text("credential_mode"),
            pushPolicy: try row.optionalText("push_policy") == nil ? nil : row.json("push_policy", as: PushPolicyRecord.self)
        )
    }
}
