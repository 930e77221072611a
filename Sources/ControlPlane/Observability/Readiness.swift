import Foundation
import GitHubApp

/// The answer of `GET /readyz`: whether this control plane can serve sessions now, and what each
/// dependency says.
///
/// Ready means the database answers and the stored sessions are loaded, so the API can answer for
/// every one of them. Sessions that were running get their sandbox back in the background after
/// that (`sessions` says how far it has got): their agents must be able to dial back to a server
/// that accepts connections, and the API answers for a session being restored with its status. A
/// missing GitHub App is stated but is not a failure: sessions without repositories work without
/// it, and a load balancer taking the server out of rotation would not make the App appear.
struct Readiness: Encodable, Sendable {
    /// `ready` or `not ready`.
    var status: String
    /// `ok`, or the error the store answered a ping with.
    var database: String
    /// `configured`, or `not configured: <what is missing>`.
    var githubApp: String
    /// `loading`, then `restoring (N of M started)` while running sessions get their sandbox
    /// back, then `restored (N of M started)`.
    var sessions: String
    /// `on (@slug)`, or `off: <why>`: informational, never a failure.
    var githubBot: String
    /// For one of several replicas: its id, URL, lease and the sessions it holds; absent for a
    /// lone control plane.
    var replica: ReplicaSummary?

    var isReady: Bool { status == "ready" }

    static func check(_ manager: SessionManager, bot: String = ControlPlaneServer.botOff) async -> Readiness {
        let storeProblem = await manager.storeProblem()
        let restore = await manager.restoreProgress
        let loaded = restore.phase != .loading
        let githubApp: String
        switch manager.github {
        case .configured: githubApp = "configured"
        case .notConfigured(.notConfigured(let missing), _): githubApp = "not configured: missing \(missing.joined(separator: ", "))"
        case .notConfigured(let error, _): githubApp = "not configured: \(error.message)"
        }
        return Readiness(
            status: storeProblem == nil && loaded ? "ready" : "not ready",
            database: storeProblem.map { "error: \($0)" } ?? "ok",
            githubApp: githubApp,
            sessions: restore.summary,
            githubBot: bot,
            replica: await manager.replicaSummary
        )
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data(#"{"status":"not ready"}"#.utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
