import Foundation
import Logging
import Synchronization
import NIOCore
import PostgresNIO

/// The ``SessionStore`` on PostgreSQL (`NETCLODE_DATABASE_URL`), for control planes that share
/// one database; SQLite stays the embedded default.
///
/// The same schema and semantics as ``SQLiteSessionStore``: JSON text columns, millisecond
/// times, an identity column as the event cursor (never reused), and events deleted with their
/// session. Statements go through postgres-nio's connection pool, every value a bound parameter.
///
/// Call ``close()`` before dropping the store.
public final class PostgresSessionStore: SessionStore {
    let client: PostgresClient
    private let running: Task<Void, Never>
    /// Holds the database's owner lock on one connection for the store's life (see ``open``).
    private let ownership: Task<Void, Never>?
    let logger: Logger
    private let gate = OperationGate()
    /// The `LISTEN` tasks of ``sessionChanges()``, stopped when the store closes.
    let changeListeners = Mutex<[Task<Void, Never>]>([])
    /// Where it is, without the password.
    public let location: String
    /// The migration versions this open applied.
    let appliedMigrations: [Int]

    private init(client: PostgresClient, running: Task<Void, Never>, ownership: Task<Void, Never>?, logger: Logger, location: String, appliedMigrations: [Int]) {
        self.client = client
        self.running = running
        self.ownership = ownership
        self.logger = logger
        self.location = location
        self.appliedMigrations = appliedMigrations
    }

    /// Connects to `url` and migrates the database to the current schema (safely when several
    /// control planes start at once). A database that cannot be reached within `connectDeadline`
    /// is an error naming it (without its password), not a wait forever.
    ///
    /// `sharing`: how the store holds the database's owner lock, a session-level advisory lock
    /// held on one connection for as long as the store is open (it goes with the connection, so
    /// a control plane that is killed frees it at once). A lone control plane (`.exclusive`, the
    /// default) keeps every session's state to itself and restores every sandbox at start, so a
    /// second one on the same database is refused. Replicas (`.replica`) share the lock among
    /// themselves and divide the sessions by lease (``SessionLeases``); a lone control plane and
    /// replicas refuse each other.
    public static func open(url: String, logger: Logger, connectDeadline: Duration = .seconds(30), sharing: Sharing = .exclusive) async throws -> PostgresSessionStore {
        let parsed = try PostgresURL(url)
        var configuration = parsed.configuration
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        var ownership: Task<Void, Never>?
        do {
            let applied = try await ConnectDeadline.run(connectDeadline, failure: "cannot open \(parsed): no connection within \(connectDeadline)") {
                try await PostgresMigrations.apply(on: client, logger: logger)
            }
            if sharing != .unlocked {
                ownership = try await takeOwnership(client, shared: sharing == .replica, logger: logger, database: parsed.description)
            }
            logger.debug("Opened session store", metadata: ["database": "\(parsed)"])
            return PostgresSessionStore(client: client, running: running, ownership: ownership, logger: logger,
                                        location: parsed.description, appliedMigrations: applied)
        } catch {
            ownership?.cancel()
            running.cancel()
            _ = await running.value
            if let error = error as? StorageError { throw error }
            throw StorageError.database("cannot open \(parsed): \(String(reflecting: error))")
        }
    }

    /// `pg_advisory_lock` key of the database's owner: "netclode" + 1.
    static let ownerLockKey: Int64 = PostgresMigrations.lockKey + 1

    /// How a store shares its database with other control planes (see ``open(url:logger:connectDeadline:sharing:)``).
    public enum Sharing: Sendable, Equatable {
        /// The only control plane on the database.
        case exclusive
        /// One of several replicas.
        case replica
        /// No owner lock at all: tests of the schema that open several stores at once.
        case unlocked
    }

    /// Takes the owner lock (`shared` among replicas) on a connection leased for the store's
    /// life; throws when a control plane that does not share it holds it.
    private static func takeOwnership(_ client: PostgresClient, shared: Bool, logger: Logger, database: String) async throws -> Task<Void, Never> {
        let lock = shared ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock"
        let unlock = shared ? "pg_advisory_unlock_shared" : "pg_advisory_unlock"
        let (outcome, report) = AsyncStream.makeStream(of: Result<Bool, any Error>.self)
        let holder = Task {
            do {
                try await client.withConnection { connection in
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(lock)(\(ownerLockKey))"), logger: logger)
                    var taken = false
                    for try await value in rows.decode(Bool.self) { taken = value }
                    report.yield(.success(taken))
                    guard taken else { return }
                    // Held until the store closes (this task is cancelled) or the connection drops.
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                    _ = try? await connection.query(PostgresQuery(unsafeSQL: "SELECT \(unlock)(\(ownerLockKey))"), logger: logger)
                }
            } catch {
                report.yield(.failure(error))
            }
            report.finish()
        }
        for await result in outcome {
            switch result {
            case .success(true): return holder
            case .success(false):
                throw StorageError.database(shared
                    ? "a lone control plane is using \(database): stop it, or run every control plane on it as a replica (NETCLODE_ADVERTISE_URL)"
                    : "another control plane is using \(database): run several only as replicas, each with its own NETCLODE_ADVERTISE_URL")
            case .failure(let error):
                throw StorageError.database("cannot take the owner lock of \(database): \(String(reflecting: error))")
            }
        }
        throw StorageError.database("cannot take the owner lock of \(database)")
    }

    // MARK: Sessions

    private static let sessionColumns =
        "id, name, status, repos, repo_access, blobless, repo_status, created_at, updated_at, error, agent_command, git_author, root_repo, credential_mode, push_policy"

    public func insertSession(_ session: SessionRecord) async throws {
        try await insertSession(session, holder: nil)
    }

    /// INSERT of `session`, leased to `holder` when given (``SessionLeases``).
    func insertSession(_ session: SessionRecord, holder: ReplicaLease?) async throws {
        let values = try Columns(session)
        do {
            try await run {
                try await $0.query("""
                    INSERT INTO sessions (\(unescaped: Self.sessionColumns), lease_holder, lease_holder_url, lease_until)
                    VALUES (\(values.id), \(values.name), \(values.status), \(values.repos),
                        \(values.repoAccess), \(values.blobless), \(values.repoStatus), \(values.createdAt), \(values.updatedAt), \(values.error),
                        \(values.agentCommand), \(values.gitAuthor), \(values.rootRepo), \(values.credentialMode), \(values.pushPolicy),
                        \(holder?.id), \(holder?.url), CASE WHEN \(holder?.id)::TEXT IS NULL THEN NULL ELSE now() + \(Self.seconds(holder?.duration)) * interval '1 second' END)
                    """, logger: logger)
            }
        } catch StorageError.database(let detail) where detail.contains(Self.uniqueViolation) {
            throw StorageError.duplicate(session.id)
        }
    }

    public func updateSession(_ session: SessionRecord) async throws {
        try await updateSession(session, holder: nil)
    }

    /// UPDATE of `session`; with `holder`, only while that replica holds the lease.
    func updateSession(_ session: SessionRecord, holder: ReplicaLease?) async throws {
        let values = try Columns(session)
        let rows = try await run {
            try await $0.query("""
                UPDATE sessions SET name = \(values.name), status = \(values.status), repos = \(values.repos), repo_access = \(values.repoAccess),
                    blobless = \(values.blobless), repo_status = \(values.repoStatus), created_at = \(values.createdAt),
                    updated_at = \(values.updatedAt), error = \(values.error), agent_command = \(values.agentCommand),
                    git_author = \(values.gitAuthor), root_repo = \(values.rootRepo), credential_mode = \(values.credentialMode),
                    push_policy = \(values.pushPolicy)
                WHERE id = \(values.id) AND (\(holder?.id)::TEXT IS NULL OR lease_holder = \(holder?.id)) RETURNING id
                """, logger: logger).collect()
        }
        guard rows.isEmpty else { return }
        if holder != nil, try await self.session(id: session.id) != nil { throw StorageError.notLeaseHolder(session.id) }
        throw StorageError.notFound(session.id)
    }

    /// Whole seconds of a lease, for SQL intervals.
    static func seconds(_ duration: Duration?) -> Int64 {
        duration?.components.seconds ?? 0
    }

    public func session(id: String) async throws -> SessionRecord? {
        let rows = try await run { try await $0.query("SELECT \(unescaped: Self.sessionColumns) FROM sessions WHERE id = \(id)", logger: logger).collect() }
        return try rows.first.map(Self.session(from:))
    }

    public func sessions() async throws -> [SessionRecord] {
        let rows = try await run { try await $0.query("SELECT \(unescaped: Self.sessionColumns) FROM sessions ORDER BY created_at, id", logger: logger).collect() }
        return try rows.map(Self.session(from:))
    }

    public func deleteSession(id: String) async throws {
        try await run { try await $0.query("DELETE FROM sessions WHERE id = \(id)", logger: logger) }
    }

    // MARK: Events

    public func appendEvent(sessionID: String, payload: [UInt8], at date: Date, capped: Bool) async throws -> Int64 {
        guard let cursor = try await appendEvents(sessionID: sessionID, payloads: [payload], at: date, capped: capped).first else {
            throw StorageError.database("INSERT … RETURNING returned no row")
        }
        return cursor
    }

    public func appendEvents(sessionID: String, payloads: [[UInt8]], at date: Date, capped: Bool) async throws -> [Int64] {
        guard !payloads.isEmpty else { return [] }
        // One statement, atomic; the identity hands out the cursors in the payloads' order.
        var binds = PostgresBindings()
        binds.append(sessionID)
        binds.append(Millis.encode(date))
        binds.append(capped)
        binds.append(payloads.map { ByteBuffer(bytes: $0) })
        let query = PostgresQuery(
            unsafeSQL: "INSERT INTO events (session_id, payload, created_at, capped) SELECT $1, payload, $2, $3 FROM unnest($4::bytea[]) WITH ORDINALITY AS p(payload, n) ORDER BY n RETURNING cursor",
            binds: binds)
        let rows: [PostgresRow]
        do {
            rows = try await run { try await $0.query(query, logger: logger).collect() }
        } catch StorageError.database(let detail) where detail.contains(Self.foreignKeyViolation) {
            throw StorageError.notFound(sessionID)
        }
        guard rows.count == payloads.count else {
            throw StorageError.database("INSERT of \(payloads.count) events returned \(rows.count) cursors")
        }
        return try rows.map { try $0.decode(Int64.self) }.sorted()
    }

    public func events(sessionID: String, after cursor: Int64, limit: Int) async throws -> [StoredEvent] {
        guard limit > 0 else { return [] }
        let rows = try await run {
            try await $0.query("""
                SELECT cursor, session_id, payload, created_at FROM events
                WHERE session_id = \(sessionID) AND cursor > \(max(cursor, 0)) ORDER BY cursor LIMIT \(limit)
                """, logger: logger).collect()
        }
        return try rows.map { row in
            let (cursor, session, payload, createdAt) = try row.decode((Int64, String, ByteBuffer, Int64).self)
            return StoredEvent(cursor: cursor, sessionID: session, payload: Array(payload.readableBytesView), createdAt: Millis.decode(createdAt))
        }
    }

    public func cappedBytes(sessionID: String) async throws -> Int {
        let rows = try await run {
            try await $0.query("SELECT COALESCE(SUM(length(payload)), 0)::BIGINT FROM events WHERE session_id = \(sessionID) AND capped", logger: logger).collect()
        }
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func dropOldestCappedEvents(sessionID: String, atLeast bytes: Int) async throws -> (events: Int, bytes: Int) {
        guard bytes > 0 else { return (0, 0) }
        // The oldest capped events whose running total first reaches `bytes`, in one statement.
        let rows = try await run {
            try await $0.query("""
                DELETE FROM events WHERE cursor IN (
                    SELECT cursor FROM (
                        SELECT cursor, SUM(length(payload)) OVER (ORDER BY cursor) - length(payload) AS before
                        FROM events WHERE session_id = \(sessionID) AND capped
                    ) AS running WHERE before < \(bytes)
                ) RETURNING length(payload)::BIGINT
                """, logger: logger).collect()
        }
        var freed = 0
        for row in rows { freed += Int(try row.decode(Int64.self)) }
        return (rows.count, freed)
    }

    // MARK: Health and lifecycle

    public func ping() async throws {
        try await run { try await $0.query("SELECT 1", logger: logger) }
    }

    public func close() async throws {
        guard await gate.close() else { return }
        for listener in changeListeners.withLock({ $0 }) {
            listener.cancel()
            _ = await listener.value
        }
        ownership?.cancel()
        _ = await ownership?.value
        running.cancel()
        _ = await running.value
        logger.debug("Closed session store", metadata: ["database": "\(location)"])
    }

    // MARK: Helpers

    private static let uniqueViolation = "sqlState: 23505"
    private static let foreignKeyViolation = "sqlState: 23503"

    /// Runs `body` unless the store is closed, translating driver errors into ``StorageError``
    /// (with the SQLSTATE, which the callers match on).
    func run<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try gate.enter()
        defer { gate.leave() }
        do {
            return try await body(client)
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState].map { "sqlState: \($0)" } ?? "\(error.code)"
            let message = error.serverInfo?[.message] ?? ""
            throw StorageError.database("\(state) \(message)")
        }
    }

    private static func session(from row: PostgresRow) throws -> SessionRecord {
        let columns = row.makeRandomAccess()
        func text(_ name: String) throws -> String { try columns[name].decode(String.self) }
        func optional(_ name: String) throws -> String? { try columns[name].decode(String?.self) }
        return SessionRecord(
            id: try text("id"),
            name: try text("name"),
            status: try text("status"),
            repos: try StoredJSON.decode(try text("repos"), as: [String].self, column: "repos"),
            repoAccess: try optional("repo_access"),
            blobless: try columns["blobless"].decode(Bool.self),
            repoStatus: try StoredJSON.decode(try text("repo_status"), as: [RepoStatusRecord].self, column: "repo_status"),
            createdAt: Millis.decode(try columns["created_at"].decode(Int64.self)),
            updatedAt: Millis.decode(try columns["updated_at"].decode(Int64.self)),
            error: try optional("error"),
            agentCommand: try StoredJSON.decode(try text("agent_command"), as: [String].self, column: "agent_command"),
            gitAuthor: try optional("git_author"),
            rootRepo: try optional("root_repo"),
            credentialMode: try text("credential_mode"),
            pushPolicy: try optional("push_policy").map { text throws(StorageError) in try StoredJSON.decode(text, as: PushPolicyRecord.self, column: "push_policy") }
        )
    }

    /// A record's column values, encoded once for an INSERT or UPDATE.
    private struct Columns {
        let id, name, status, repos, repoStatus, agentCommand, credentialMode: String
        let repoAccess, error, gitAuthor, rootRepo, pushPolicy: String?
        let blobless: Bool
        let createdAt, updatedAt: Int64

        init(_ session: SessionRecord) throws(StorageError) {
            id = session.id
            name = session.name
            status = session.status
            repos = try StoredJSON.encode(session.repos)
            repoStatus = try StoredJSON.encode(session.repoStatus)
            agentCommand = try StoredJSON.encode(session.agentCommand)
            credentialMode = session.credentialMode
            repoAccess = session.repoAccess
            error = session.error
            gitAuthor = session.gitAuthor
            rootRepo = session.rootRepo
            pushPolicy = try session.pushPolicy.map { policy throws(StorageError) in try StoredJSON.encode(policy) }
            blobless = session.blobless
            createdAt = Millis.encode(session.createdAt)
            updatedAt = Millis.encode(session.updatedAt)
        }
    }
}
