import Foundation

extension ControlPlaneProcess {
    /// A `netclode serve` replica: on `databaseURL` (PostgreSQL), pointed at `forge`, advertised
    /// at a port chosen beforehand (`NETCLODE_ADVERTISE_URL` must be known before it starts),
    /// keeping its sessions' workspaces in `workspaces` (shared by every replica, as shared
    /// storage would be).
    public static func startReplica(forge: ForgeProcess, databaseURL: String, workspaces: String, leaseSeconds: Int,
                                    logLevel: String? = "debug") async throws -> ControlPlaneProcess {
        let port = try ClosedPort().port
        var environment = githubEnvironment(for: forge)
        environment["NETCLODE_DATABASE_URL"] = databaseURL
        environment["NETCLODE_ADVERTISE_URL"] = "http://127.0.0.1:\(port)"
        environment["NETCLODE_LEASE_SECONDS"] = "\(leaseSeconds)"
        environment["NETCLODE_WORKSPACES_DIR"] = workspaces
        return try await start(environment: environment, logLevel: logLevel, port: port)
    }
}
