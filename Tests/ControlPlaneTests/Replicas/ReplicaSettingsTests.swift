import ControlPlane
import Foundation
import GitHubApp
import Testing
import TestSupport

/// `NETCLODE_ADVERTISE_URL`, `NETCLODE_LEASE_SECONDS` and `NETCLODE_WORKSPACES_DIR`: what turns
/// replicas on, and a refusal naming the setting for anything unusable.
@Suite("Replica settings")
struct ReplicaSettingsTests {
    static let base = ["NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken, "NETCLODE_DATABASE_URL": "postgres://netclode@db.internal/netclode"]

    func settings(_ extra: [String: String], base: [String: String] = base) throws(ControlPlaneError) -> ControlPlaneSettings {
        try ControlPlaneSettings(settings: EnvironmentSettings(base.merging(extra) { _, new in new }))
    }

    @Test func offByDefaultOnWithAnAdvertisedURL() throws {
        #expect(try settings([:]).replica == nil)
        let on = try settings(["NETCLODE_ADVERTISE_URL": "http://10.0.0.5:8080/", "NETCLODE_WORKSPACES_DIR": "/srv/netclode/workspaces"])
        #expect(on.replica?.advertiseURL.absoluteString == "http://10.0.0.5:8080")
        #expect(on.replica?.lease == .seconds(10))
        #expect(on.workspacesDirectory?.path == "/srv/netclode/workspaces")
        #expect(try settings(["NETCLODE_ADVERTISE_URL": "https://cp-1.internal", "NETCLODE_LEASE_SECONDS": "30"]).replica?.lease == .seconds(30))
    }

    @Test("an unusable setting stops the server, naming it", arguments: [
        (["NETCLODE_ADVERTISE_URL": "10.0.0.5:8080"], "NETCLODE_ADVERTISE_URL must be this replica's base URL"),
        (["NETCLODE_ADVERTISE_URL": "http://10.0.0.5:8080/api"], "NETCLODE_ADVERTISE_URL must be this replica's base URL"),
        (["NETCLODE_ADVERTISE_URL": "ftp://10.0.0.5"], "NETCLODE_ADVERTISE_URL must be this replica's base URL"),
        (["NETCLODE_ADVERTISE_URL": "http://10.0.0.5:8080", "NETCLODE_LEASE_SECONDS": "1"], "NETCLODE_LEASE_SECONDS must be a whole number from 3 to 300"),
        (["NETCLODE_ADVERTISE_URL": "http://10.0.0.5:8080", "NETCLODE_LEASE_SECONDS": "ten"], "NETCLODE_LEASE_SECONDS must be a whole number from 3 to 300"),
        (["NETCLODE_LEASE_SECONDS": "10"], "NETCLODE_LEASE_SECONDS is set but NETCLODE_ADVERTISE_URL is not"),
        (["NETCLODE_WORKSPACES_DIR": "workspaces"], "NETCLODE_WORKSPACES_DIR must be an absolute path"),
    ])
    func refusals(extra: [String: String], expected: String) {
        #expect {
            _ = try settings(extra)
        } throws: { error in
            ((error as? ControlPlaneError)?.message ?? "").contains(expected)
        }
    }

    @Test func replicasNeedPostgreSQL() throws {
        #expect {
            _ = try settings(["NETCLODE_ADVERTISE_URL": "http://10.0.0.5:8080"], base: ["NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken])
        } throws: { error in
            ((error as? ControlPlaneError)?.message ?? "").contains("set NETCLODE_DATABASE_URL too")
        }
        let kubernetes = ["NETCLODE_ADVERTISE_URL": "http://10.0.0.5:8080", "NETCLODE_RUNTIME": "kubernetes",
                          "NETCLODE_AGENT_CALLBACK_URL": "http://control-plane.netclode.svc:8080"]
        #expect {
            _ = try settings(kubernetes)
        } throws: { error in
            ((error as? ControlPlaneError)?.message ?? "").contains("set NETCLODE_CREDENTIAL_MODE=token")
        }
        let tokenMode = try settings(kubernetes.merging(["NETCLODE_CREDENTIAL_MODE": "token"]) { $1 })
        #expect(tokenMode.replica != nil && tokenMode.runtime == .kubernetes)
    }
}
