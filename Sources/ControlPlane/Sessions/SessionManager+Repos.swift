import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// `UpdateRepos`: repositories added to and removed from a session as it goes.
///
/// The new set is validated like `CreateSession`'s (same parser, same GitHub errors) and nothing
/// changes on a refusal. For a running session, tokens covering the new set are minted, handed to
/// the agent and acknowledged as an access change is, then the old ones are revoked (so a removed
/// repository is unreachable with the session's credentials at once); the agent then clones what
/// was added. A paused session stores the new set and clones it at resume.
///
/// Paths: a session created with one repository has it in the workspace root, and it stays there
/// when more are added; every other repository is in `owner__repo` (``SessionRecord/rootRepo``).
extension SessionManager {
    public func updateRepos(_ request: Netclode_V1_UpdateReposRequest) async throws(ControlPlaneError) -> Netclode_V1_UpdateReposResponse {
        let webURL = github.endpoints.webURL
        let add = try RepositorySelection.parse(request.add, field: "add", webURL: webURL)
        let remove = try RepositorySelection.parse(request.remove, field: "remove", webURL: webURL)
        guard !add.isEmpty || !remove.isEmpty else {
            throw .invalidArgument("nothing to change: give repositories to add, to remove, or both")
        }
        if let both = add.first(where: remove.contains) {
            throw .invalidArgument("\(both.fullName) is both added and removed")
        }
        let id = request.sessionID
        _ = try await existing(id)
        return try await exclusively(id) { () async throws(ControlPlaneError) in
            try await changeRepos(of: id, add: add, remove: remove, deleteClones: request.deleteClones)
        }
    }

    private func changeRepos(of id: String, add: [RepositoryReference], remove: [RepositoryReference], deleteClones: Bool) async throws(ControlPlaneError) -> Netclode_V1_UpdateReposResponse {
        let record = try await existing(id)
        let running = record.sessionStatus.wantsSandbox
        guard running || record.sessionStatus == .paused else {
            throw .failedPrecondition("session \(id) is \(record.status); its repositories cannot change")
        }
        if deleteClones && !running {
            throw .failedPrecondition("session \(id) is paused, so its clones cannot be deleted now; resume it first, or remove without deleteClones")
        }
        let webURL = github.endpoints.webURL
        let current = try storedRepositories(record)
        for repository in remove where !current.contains(repository) {
            throw .invalidArgument("remove: \(repository.fullName) is not a repository of session \(id)")
        }
        for repository in add where current.contains(repository) {
            throw .invalidArgument("add: \(repository.fullName) is already a repository of session \(id)")
        }
        let repositories = current.filter { !remove.contains($0) } + add
        guard !repositories.isEmpty else {
            throw .invalidArgument("remove: a session keeps at least one repository once it has one; delete the session instead")
        }
        guard repositories.count <= RepositorySelection.maximumCount else {
            throw .invalidArgument("a session has at most \(RepositorySelection.maximumCount) repositories; this would make \(repositories.count)")
        }
        let urls = repositories.map { $0.cloneURL(webURL: webURL).absoluteString }
        let removedURLs = remove.map { $0.cloneURL(webURL: webURL).absoluteString }
        if deleteClones, let root = record.rootRepo, removedURLs.contains(root) {
            throw .invalidArgument("deleteClones: \(root) is cloned into the workspace root, which holds the other repositories too; remove it without deleteClones")
        }
        if case .notConfigured(let error, _) = github { throw .failedPrecondition(error.message) }
        guard let broker = github.broker else { throw .failedPrecondition("GitHub App not configured") }
        let access = RepoAccess(rawValue: record.repoAccess ?? "") ?? .default

        var updated = record
        updated.repos = urls
        if running {
            let before = "the repositories stay \(current.map(\.fullName).joined(separator: ", "))"
            try await replaceTokens(of: id, repositories: repositories, access: access, stays: before)
            var command = Netclode_V1_RepoUpdate()
            command.repos = repoSpecs(for: updated)
            command.deleteDirectories = deleteClones ? repoSpecs(for: record).filter { removedURLs.contains($0.url) }.map(\.directory) : []
            do {
                let reply = try await agents.request(sessionID: id, .make(.repoUpdate(command)), timeout: options.acknowledgementTimeout)
                guard case .ack(let ack) = reply, ack.ok else {
                    if case .ack(let ack) = reply { throw ControlPlaneError.unavailable("the agent of session \(id) could not apply the change: \(ack.error)") }
                    throw ControlPlaneError.unavailable("the agent of session \(id) did not acknowledge the new repositories")
                }
            } catch {
                // Back to the old set: the agent still works on it, so must its credentials.
                try? await replaceTokens(of: id, repositories: current, access: access, stays: before)
                throw SessionManager.controlPlaneError(error)
            }
        } else {
            // Validated as CreateSession validates: the tokens must exist, then they go at once.
            do {
                let tokens = try await broker.prepare(session: id, repositories: repositories, access: access)
                await broker.discard(tokens, session: id)
            } catch {
                throw ControlPlaneError(error)
            }
        }
        let after = try await update(id) { record in
            record.repos = urls
            record.repoAccess = access.rawValue
            record.repoStatus.removeAll { removedURLs.contains($0.repo) }
        }
        let summary = ([add.isEmpty ? nil : "added \(add.map(\.fullName).joined(separator: ", "))",
                        remove.isEmpty ? nil : "removed \(remove.map(\.fullName).joined(separator: ", "))\(deleteClones ? " (clones deleted)" : "")"]
            .compactMap { $0 }.joined(separator: "; "))
        try await self.record(.now(kind: "repos") {
            $0.stage = running ? "applied" : "stored"
            $0.message = "Repositories \(summary)" + (running ? "" : "; cloned at resume")
        }, for: id)
        sessionLogger(id).info("repositories changed", metadata: ["added": "\(add.count)", "removed": "\(remove.count)", "running": "\(running)"])
        return .with {
            $0.session = after.wire
            $0.applied = running
        }
    }

    /// The session's repositories, parsed back from their stored clone URLs.
    func storedRepositories(_ record: SessionRecord) throws(ControlPlaneError) -> [RepositoryReference] {
        do {
            return try record.repos.map { try RepositoryReference.parse($0, webURL: github.endpoints.webURL) }
        } catch {
            throw .internal("stored repository could not be parsed: \(error)")
        }
    }

    /// Where each repository of `record` is cloned: its ``SessionRecord/rootRepo`` in the
    /// workspace root, every other one in `owner__repo`.
    func repoSpecs(for record: SessionRecord) -> [Netclode_V1_RepoSpec] {
        let webURL = github.endpoints.webURL
        return record.repos.compactMap { try? RepositoryReference.parse($0, webURL: webURL) }.map { reference in
            var spec = Netclode_V1_RepoSpec()
            spec.url = reference.cloneURL(webURL: webURL).absoluteString
            spec.owner = reference.owner
            spec.name = reference.name
            spec.directory = spec.url == record.rootRepo ? "" : "\(reference.owner)__\(reference.name)"
            return spec
        }
    }
}
