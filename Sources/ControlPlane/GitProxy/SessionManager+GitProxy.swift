import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// What one request through the git proxy may do, decided from the session as it is at that
/// moment: an access change, a refresh, a removed repository or a pause applies to the next request.
struct GitProxyGrant: Sendable {
    let sessionID: String
    let repository: RepositoryReference
    let token: InstallationToken
    let access: RepoAccess
    let policy: PushPolicy
}

/// The session side of the git proxy: who a credential is, what it may reach, the push audit, and
/// `UpdatePushPolicy`.
extension SessionManager {
    /// The grant for a request carrying `credential` to `owner/name`.
    ///
    /// An unknown or stale credential is `unauthenticated`; a repository outside the session is
    /// `not_found`, exactly as GitHub answers for a repository a token cannot see.
    func gitProxyGrant(credential: String, owner: String, name: String) async throws(ControlPlaneError) -> GitProxyGrant {
        guard let id = await agents.session(forGitCredential: credential), let record = records[id],
              record.mode == .proxy, record.sessionStatus.wantsSandbox
        else {
            throw .unauthenticated("this git proxy credential is not valid (the session is paused, deleted, or it belongs to an earlier sandbox)")
        }
        // The session's current tokens say which repositories it has: they cover the new set as
        // soon as an UpdateRepos commits them (before the record is saved, while the agent already
        // clones), and no longer cover a removed repository.
        let wanted = "\(owner)/\(name)".lowercased()
        let tokens = await github.broker?.tokens(for: id) ?? []
        guard let token = tokens.first(where: { $0.repositories.contains { $0.key == wanted } }),
              let repository = token.repositories.first(where: { $0.key == wanted })
        else {
            throw .notFound("Repository not found: \(owner)/\(name) is not a repository of session \(id)")
        }
        return GitProxyGrant(sessionID: id, repository: repository, token: token, access: token.access,
                             policy: PushPolicy(record: record.pushPolicy))
    }

    /// Records a push through the proxy as a `git_push` event: the audit trail of what the
    /// session's agent did to GitHub. The log line is always written; the event comes out of the
    /// session's report budget (``ReportBudget``), since the sandbox decides how often it pushes.
    func recordPush(_ audit: PushAudit, sessionID: String) async {
        sessionLogger(sessionID).info("git push through the proxy", metadata: [
            "repo": "\(audit.repository)", "outcome": "\(audit.outcome.rawValue)", "refs": "\(audit.refs.count)",
            "token": "\(audit.tokenFingerprint)",
        ])
        guard reportBudgets[sessionID, default: ReportBudget()].take() else { return }
        try? await record(audit.event, for: sessionID)
    }

    /// Replaces a proxy-mode session's push policy; the next push is judged by the new one.
    public func updatePushPolicy(_ request: Netclode_V1_UpdatePushPolicyRequest) async throws(ControlPlaneError) -> Netclode_V1_UpdatePushPolicyResponse {
        let policy = try PushPolicy(wire: request.hasPushPolicy ? request.pushPolicy : nil, field: "pushPolicy")
        let id = request.sessionID
        _ = try await existing(id)
        return try await exclusively(id) { () async throws(ControlPlaneError) in
            let record = try await existing(id)
            guard record.mode == .proxy else {
                throw .failedPrecondition("session \(id) uses credential mode \"token\": git talks to GitHub directly, so no push policy can be applied")
            }
            guard record.sessionStatus != .deleted else { throw .failedPrecondition("session \(id) is deleted") }
            let updated = try await update(id) { $0.pushPolicy = policy.record }
            try await self.record(.now(kind: "push_policy") { $0.message = "Push policy: \(policy.summary)" }, for: id)
            return .with { $0.session = updated.wire }
        }
    }
}
