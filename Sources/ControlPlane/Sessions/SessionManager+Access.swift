import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// `UpdateRepoAccess`: the access level changes mid-session and takes effect at once.
extension SessionManager {
    /// Mint the new token, hand it to the agent, wait for its acknowledgement, then revoke the old
    /// token and store the new level. If the agent does not acknowledge in time the new token is
    /// revoked and the old level stays in force in the API and the sandbox alike: never half-applied.
    /// Updates of one session run one after another; the last one wins.
    public func updateRepoAccess(_ request: Netclode_V1_UpdateRepoAccessRequest) async throws(ControlPlaneError) -> Netclode_V1_UpdateRepoAccessResponse {
        if !request.type.isEmpty && request.type != "repo.access.update" {
            throw .invalidArgument("type must be \"repo.access.update\" (or omitted), got \"\(request.type)\"")
        }
        guard let access = RepoAccess(rawValue: request.repoAccess) else {
            throw .invalidArgument("repoAccess must be \"read\" or \"write\", got \"\(request.repoAccess)\"")
        }
        let id = request.sessionID
        _ = try await existing(id)
        return try await exclusively(id) { () async throws(ControlPlaneError) in
            try await changeAccess(of: id, to: access)
        }
    }

    /// The access change itself, in the session's turn (no pause, resume, refresh delivery or other
    /// access change of the session can interleave).
    private func changeAccess(of id: String, to access: RepoAccess) async throws(ControlPlaneError) -> Netclode_V1_UpdateRepoAccessResponse {
        let record = try await existing(id)
        guard !record.repos.isEmpty else {
            throw .failedPrecondition("session \(id) has no repositories, so it has no access level to change")
        }
        var response = Netclode_V1_UpdateRepoAccessResponse()
        response.sessionID = id
        response.repoAccess = access.rawValue
        if record.repoAccess == access.rawValue {
            response.applied = record.sessionStatus.wantsSandbox
            return response
        }
        guard record.sessionStatus.wantsSandbox else {
            guard record.sessionStatus == .paused else {
                throw .failedPrecondition("session \(id) is \(record.status); its access level cannot change")
            }
            try await update(id) { $0.repoAccess = access.rawValue }
            response.applied = false
            return response
        }
        try await replaceTokens(of: id, repositories: try storedRepositories(record), access: access, stays: "access stays \(record.repoAccess ?? "read")")
        // Only the level changes: clone progress that arrived while the agent acknowledged stays.
        try await update(id) { $0.repoAccess = access.rawValue }
        try await self.record(.now(kind: "repo_access") {
            $0.repoAccess = access.rawValue
            $0.stage = "applied"
            $0.message = access == .write ? "Write access applied: push is allowed" : "Read-only access applied: push is refused"
        }, for: id)
        sessionLogger(id).info("repo access changed", metadata: ["from": "\(record.repoAccess ?? "-")", "to": "\(access)"])
        response.applied = true
        return response
    }

    /// Mints tokens for `repositories` at `access`, hands them to the agent and waits for its
    /// acknowledgement, then makes them the session's lease and revokes the ones they replace. If
    /// the agent is not there or does not acknowledge, the new tokens are revoked and the old ones
    /// stay in force (`stays` says what that means to the caller): never half-applied.
    ///
    /// A proxy-mode agent holds no token, so nothing is handed over: the git proxy uses the new
    /// tokens from its next request on.
    func replaceTokens(of id: String, repositories: [RepositoryReference], access: RepoAccess, stays: String) async throws(ControlPlaneError) {
        guard let broker = github.broker else { throw .failedPrecondition("GitHub App not configured") }
        let handOver = records[id]?.mode != .proxy
        if handOver, !(await agents.waitUntilAttached(id, timeout: options.acknowledgementTimeout)) {
            throw .unavailable("the agent of session \(id) is not connected; \(stays)")
        }
        let fresh: [InstallationToken]
        do {
            fresh = try await broker.prepare(session: id, repositories: repositories, access: access)
        } catch {
            throw ControlPlaneError(error)
        }
        if handOver {
            let refused = "the agent of session \(id) did not acknowledge the new credentials; \(stays)"
            do {
                let reply = try await agents.request(sessionID: id, .make(.credentials(Self.credentials(fresh))), timeout: options.acknowledgementTimeout)
                guard case .ack(let ack) = reply, ack.ok else { throw ControlPlaneError.unavailable(refused) }
            } catch {
                await broker.discard(fresh, session: id)
                throw .unavailable(refused)
            }
        }
        await broker.commit(session: id, tokens: fresh, repositories: repositories, access: access) { [weak self] renewal in
            try await self?.deliver(renewal, to: id)
        }
    }
}
