import Foundation
import Storage

/// What makes a session manager one of several replicas: its lease identity and the store that
/// keeps the leases (the same PostgreSQL store as the sessions). See docs/architecture.md,
/// "Replicas", for the design.
public struct ReplicaRole: Sendable {
    public let lease: ReplicaLease
    public let leases: any SessionLeases
    /// The API token, which forwarded calls carry like any client's.
    let apiToken: String

    public init(settings: ReplicaSettings, leases: any SessionLeases, apiToken: String) {
        self.lease = ReplicaLease(id: Identifiers.replicaID(), url: settings.advertiseURL.absoluteString, duration: settings.lease)
        self.leases = leases
        self.apiToken = apiToken
    }

    /// How often leases are renewed and lapsed sessions looked for: a third of the lease, so two
    /// renewals can fail before the lease lapses.
    var tick: Duration { lease.duration / 3 }
}

/// Where a call about a session is served.
enum SessionPlacement: Sendable, Equatable {
    /// Here: this replica holds the session (or there is only one control plane).
    case here
    /// At the replica holding the session's lease, at this base URL.
    case elsewhere(String)
}
