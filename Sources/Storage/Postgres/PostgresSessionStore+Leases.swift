import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Session leases for several replicas on one database (``SessionLeases``). Every statement is
/// one round trip, decided by the database's clock, and safe against replicas racing: a lapsed
/// session is claimed with `FOR UPDATE SKIP LOCKED`, so two claimers never get the same one.
extension PostgresSessionStore: SessionLeases {
    public func insertSession(_ session: SessionRecord, leasedTo replica: ReplicaLease) async throws {
        try await insertSession(session, holder: replica)
    }

    public func updateSession(_ session: SessionRecord, leasedTo replica: ReplicaLease) async throws {
        try await updateSession(session, holder: replica)
    }

    public func claimSession(id: String, for replica: ReplicaLease) async throws -> Bool {
        let rows = try await run {
            try await $0.query("""
                UPDATE sessions SET lease_holder = \(replica.id), lease_holder_url = \(replica.url),
                    lease_until = now() + \(Self.seconds(replica.duration)) * interval '1 second'
                WHERE id = \(id) AND status <> 'deleted'
                    AND (lease_holder IS NULL OR lease_holder = \(replica.id) OR lease_until < now())
                RETURNING id
                """, logger: logger).collect()
        }
        return !rows.isEmpty
    }

    public func claimLapsedSessions(for replica: ReplicaLease, limit: Int) async throws -> [String] {
        guard limit > 0 else { return [] }
        let rows = try await run {
            try await $0.query("""
                UPDATE sessions SET lease_holder = \(replica.id), lease_holder_url = \(replica.url),
                    lease_until = now() + \(Self.seconds(replica.duration)) * interval '1 second'
                WHERE id IN (
                    SELECT id FROM sessions
                    WHERE status <> 'deleted' AND (lease_holder IS NULL OR lease_until < now())
                    ORDER BY created_at, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING id
                """, logger: logger).collect()
        }
        return try rows.map { try $0.decode(String.self) }
    }

    public func renewLeases(of replica: ReplicaLease) async throws -> Set<String> {
        let rows = try await run {
            try await $0.query("""
                UPDATE sessions SET lease_until = now() + \(Self.seconds(replica.duration)) * interval '1 second'
                WHERE lease_holder = \(replica.id) RETURNING id
                """, logger: logger).collect()
        }
        return Set(try rows.map { try $0.decode(String.self) })
    }

    public func releaseLeases(of replica: ReplicaLease, _ ids: [String]?) async throws {
        try await run {
            try await $0.query("""
                UPDATE sessions SET lease_holder = NULL, lease_holder_url = NULL, lease_until = NULL
                WHERE lease_holder = \(replica.id) AND (\(ids == nil) OR id = ANY(\(ids ?? [])))
                """, logger: logger)
        }
    }

    public func leaseHolder(of id: String) async throws -> LeaseHolder? {
        let rows = try await run {
            try await $0.query("""
                SELECT lease_holder, lease_holder_url FROM sessions
                WHERE id = \(id) AND lease_holder IS NOT NULL AND lease_until >= now()
                """, logger: logger).collect()
        }
        guard let row = rows.first else { return nil }
        let (replica, url) = try row.decode((String, String).self)
        return LeaseHolder(replicaID: replica, url: url)
    }

    public func lastEventCursor(sessionID: String) async throws -> Int64 {
        let rows = try await run {
            try await $0.query("SELECT COALESCE(MAX(cursor), 0)::BIGINT FROM events WHERE session_id = \(sessionID)", logger: logger).collect()
        }
        return try rows.first?.decode(Int64.self) ?? 0
    }

    public func sessionChanges() -> AsyncStream<String> {
        let (changes, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
        let listener = Task { [client, logger] in
            var first = true
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: PostgresMigrations.changesChannel) { notifications in
                            // Listening (again): whatever was announced while it was not is re-read.
                            if !first { sink.yield("") }
                            first = false
                            for try await notification in notifications { sink.yield(notification.payload) }
                        }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("the change listener lost its connection; listening again", metadata: ["error": "\(error)"]) }
                }
                first = false
                try? await Task.sleep(for: .seconds(1))
            }
            sink.finish()
        }
        changeListeners.withLock { $0.append(listener) }
        sink.onTermination = { _ in listener.cancel() }
        return changes
    }
}
