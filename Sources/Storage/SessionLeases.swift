import Foundation

/// Who runs a session when several control-plane replicas share one database: exactly one
/// replica at a time holds its lease, renews it while alive, and another takes the session over
/// once it lapses.
///
/// Lease times are the database's clock (`now()`), never a replica's, so replicas whose clocks
/// disagree still agree on who owns what.
public protocol SessionLeases: SessionStore {
    /// Stores a new session already leased to `replica` (a new session is never up for grabs).
    func insertSession(_ session: SessionRecord, leasedTo replica: ReplicaLease) async throws

    /// Replaces the stored session only while `replica` holds its lease: a replica that lost a
    /// session (its lease lapsed and another took it) can no longer overwrite the new holder's
    /// state. Throws ``StorageError/notLeaseHolder(_:)`` then, ``StorageError/notFound(_:)``
    /// when there is no such session.
    func updateSession(_ session: SessionRecord, leasedTo replica: ReplicaLease) async throws

    /// Takes `id` for `replica` if nobody holds it, its lease lapsed, or `replica` holds it
    /// already; returns whether `replica` holds it now. Deleted sessions are never taken.
    func claimSession(id: String, for replica: ReplicaLease) async throws -> Bool

    /// Takes up to `limit` sessions nobody holds or whose lease lapsed (never deleted ones) for
    /// `replica`; returns their ids. Replicas claiming at once never get the same session.
    func claimLapsedSessions(for replica: ReplicaLease, limit: Int) async throws -> [String]

    /// Extends `replica`'s leases by its ``ReplicaLease/duration``; returns the sessions it
    /// still holds (one taken over meanwhile is missing, and must be let go).
    func renewLeases(of replica: ReplicaLease) async throws -> Set<String>

    /// Gives up `replica`'s leases on `ids` (all of them when nil), so another replica can take
    /// them over at once instead of waiting for the leases to lapse.
    func releaseLeases(of replica: ReplicaLease, _ ids: [String]?) async throws

    /// The replica holding `id`'s lease while the lease is live; nil when nobody does or the
    /// session does not exist.
    func leaseHolder(of id: String) async throws -> LeaseHolder?

    /// The cursor of the session's newest event (0 when it has none): where a replica that
    /// starts following the session's changes picks up.
    func lastEventCursor(sessionID: String) async throws -> Int64

    /// Ids of sessions whose events or record changed, on any replica, as the database announces
    /// them. An empty id means announcements may have been missed (the listener reconnected):
    /// re-read every session you follow. Ends when the store closes or the stream is dropped.
    func sessionChanges() -> AsyncStream<String>
}

/// This replica as the lease table knows it.
public struct ReplicaLease: Sendable, Equatable {
    /// Unique per process start.
    public let id: String
    /// `NETCLODE_ADVERTISE_URL`: where the other replicas reach this one.
    public let url: String
    /// How long a lease lasts without renewal (`NETCLODE_LEASE_SECONDS`).
    public let duration: Duration

    public init(id: String, url: String, duration: Duration) {
        self.id = id
        self.url = url
        self.duration = duration
    }
}

/// The live lease holder of a session.
public struct LeaseHolder: Sendable, Equatable {
    public let replicaID: String
    public let url: String

    public init(replicaID: String, url: String) {
        self.replicaID = replicaID
        self.url = url
    }
}
