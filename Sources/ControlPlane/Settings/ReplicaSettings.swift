import Foundation
import GitHubApp

/// Replica mode: several `netclode serve` processes on one PostgreSQL database, each owning the
/// sessions whose lease it holds (docs/architecture.md, "Replicas"). On when
/// `NETCLODE_ADVERTISE_URL` is set.
public struct ReplicaSettings: Sendable, Equatable {
    public static let defaultLeaseSeconds = 10

    /// `NETCLODE_ADVERTISE_URL`: where the other replicas reach this one (calls about a session
    /// it owns are forwarded there).
    public var advertiseURL: URL
    /// `NETCLODE_LEASE_SECONDS`: how long a session stays with a replica that stopped renewing
    /// (it died) before another takes it over. Renewed every third of it.
    public var lease: Duration

    public init(advertiseURL: URL, lease: Duration = .seconds(defaultLeaseSeconds)) {
        self.advertiseURL = advertiseURL
        self.lease = lease
    }

    /// The replica settings, or nil when `NETCLODE_ADVERTISE_URL` is unset (one control plane).
    static func parse(_ settings: EnvironmentSettings, databaseURL: String?) throws(ControlPlaneError) -> ReplicaSettings? {
        guard let text = settings["NETCLODE_ADVERTISE_URL"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            if settings["NETCLODE_LEASE_SECONDS"] != nil {
                throw .failedPrecondition("NETCLODE_LEASE_SECONDS is set but NETCLODE_ADVERTISE_URL is not: leases only exist between replicas")
            }
            return nil
        }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
              url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil else {
            throw .invalidArgument("NETCLODE_ADVERTISE_URL must be this replica's base URL as the others reach it, like http://10.0.0.5:8080, got \"\(text)\"")
        }
        guard databaseURL != nil else {
            throw .failedPrecondition("NETCLODE_ADVERTISE_URL makes this control plane a replica, and replicas share a PostgreSQL database: set NETCLODE_DATABASE_URL too")
        }
        let seconds = try ControlPlaneSettings.parseCount(settings["NETCLODE_LEASE_SECONDS"], name: "NETCLODE_LEASE_SECONDS", range: 3...300, default: defaultLeaseSeconds)
        return ReplicaSettings(advertiseURL: URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text)!, lease: .seconds(seconds))
    }
}
