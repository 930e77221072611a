import Foundation
import Logging

/// The forge's mutable state: metadata and activity (persisted), tokens, counters and scripted
/// faults (in memory). One actor, so every request sees a consistent picture.
actor ForgeState {
    var metadata: ForgeMetadata
    /// Issues, pull requests, comments, reactions; changed only through `ForgeState+Activity`.
    var activity: ForgeActivity
    let layout: ForgeLayout
    let tokenTTL: TimeInterval
    let logger: Logger

    /// Issued tokens keyed by the SHA-256 of the token (the plaintext is not kept).
    private var tokens: [String: IssuedToken] = [:]
    private(set) var stats = ForgeStats()
    private var faults: [FaultPlan] = []
    private var rateLimitWindowStart = Date()
    private var rateLimitUsed = 0

    init(metadata: ForgeMetadata, activity: ForgeActivity = ForgeActivity(), layout: ForgeLayout, tokenTTL: TimeInterval, logger: Logger) {
        self.metadata = metadata
        self.activity = activity
        self.layout = layout
        self.tokenTTL = tokenTTL
        self.logger = logger
    }

    // MARK: Tokens

    /// Stores a new token and returns it with its record.
    func issueToken(installationID: Int, repositoryIDs: [Int]?, permissions: [String: String]) -> (String, IssuedToken) {
        let token = TokenGenerator.installationToken()
        let record = IssuedToken(installationID: installationID, repositoryIDs: repositoryIDs, permissions: permissions,
                                 expiresAt: Date().addingTimeInterval(tokenTTL), fingerprint: TokenFingerprint.short(token))
        tokens[TokenFingerprint.digest(token)] = record
        stats.mints += 1
        stats.mintsByInstallation[installationID, default: 0] += 1
        let names = repositoryIDs.map { $0.compactMap { metadata.repository(id: $0)?.fullName } }
        logger.info("minted installation token", metadata: [
            "token.sha256": "\(record.fingerprint)", "installation": "\(installationID)",
            "repositories": "\(names.map { $0.joined(separator: ",") } ?? "all")",
            "permissions": "\(permissions.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))",
        ])
        return (token, record)
    }

    /// The live token for `token`, or `nil` when unknown, expired or revoked.
    func liveToken(_ token: String) -> IssuedToken? {
        let key = TokenFingerprint.digest(token)
        guard let record = tokens[key] else { return nil }
        if record.isExpired() {
            tokens[key] = nil
            return nil
        }
        return record
    }

    /// Revokes `token`; returns whether it was live.
    @discardableResult
    func revoke(_ token: String) -> Bool {
        guard let record = tokens.removeValue(forKey: TokenFingerprint.digest(token)) else { return false }
        stats.revocations += 1
        logger.info("revoked installation token", metadata: ["token.sha256": "\(record.fingerprint)"])
        return true
    }

    /// The user whose `ghu_` token this is, or `nil`.
    func userLogin(forToken token: String) -> String? {
        guard token.hasPrefix(TokenGenerator.userTokenPrefix) else { return nil }
        let digest = TokenFingerprint.digest(token)
        return metadata.userTokens.first { $0.sha256 == digest }?.login
    }

    /// The caller a bearer token stands for: a live installation token or a user token.
    func caller(forToken token: String) -> Caller? {
        if let login = userLogin(forToken: token) { return .user(login: login) }
        return liveToken(token).map(Caller.installation)
    }

    /// The repositories a token may reach right now.
    func repositories(for token: IssuedToken) -> [RepositoryRecord] {
        guard let installation = metadata.installation(id: token.installationID) else { return [] }
        let covered = metadata.repositories(of: installation)
        guard let restricted = token.repositoryIDs else { return covered }
        return covered.filter { restricted.contains($0.id) }
    }

    // MARK: Counters

    func countAPIRequest() {
        stats.apiRequests += 1
        if Date().timeIntervalSince(rateLimitWindowStart) >= 3600 {
            rateLimitWindowStart = Date()
            rateLimitUsed = 0
        }
        rateLimitUsed += 1
    }

    func countGitRequest() { stats.gitRequests += 1 }
    func countInstallationLookup() { stats.installationLookups += 1 }
    func resetStats() { stats = ForgeStats() }

    /// `(limit, remaining, reset epoch, used)` for the `x-ratelimit-*` headers.
    func rateLimit() -> (limit: Int, remaining: Int, reset: Int, used: Int) {
        let limit = 5000
        let reset = Int(rateLimitWindowStart.addingTimeInterval(3600).timeIntervalSince1970)
        return (limit, max(0, limit - rateLimitUsed), reset, rateLimitUsed)
    }

    // MARK: Faults

    func addFault(_ plan: FaultPlan) { faults.append(plan) }
    func clearFaults() { faults.removeAll() }

    /// Consumes one use of the first fault that applies to `path`.
    func takeFault(for path: String) -> FaultPlan? {
        guard let index = faults.firstIndex(where: { $0.applies(to: path) }) else { return nil }
        let plan = faults[index]
        faults[index].remaining -= 1
        if faults[index].remaining <= 0 { faults.remove(at: index) }
        stats.faultsInjected += 1
        return plan
    }

    // MARK: Repositories

    enum RenameError: Error { case notFound, invalidName(String), exists }

    /// Renames a repository on disk and in `forge.json` (its ID, and so its tokens, stay).
    func renameRepository(from: (owner: String, name: String), toName newName: String) throws(RenameError) -> RepositoryRecord {
        if let problem = GitHubNames.repositoryProblem(newName) { throw .invalidName(problem) }
        guard let repository = metadata.repository(owner: from.owner, name: from.name),
              let index = metadata.repositories.firstIndex(where: { $0.id == repository.id })
        else { throw .notFound }
        if let clash = metadata.repository(owner: repository.owner, name: newName), clash.id != repository.id { throw .exists }
        let source = layout.bareRepository(owner: repository.owner, name: repository.name)
        let destination = layout.bareRepository(owner: repository.owner, name: newName)
        var updated = metadata
        updated.repositories[index].name = newName
        do {
            if source.path != destination.path { try FileManager.default.moveItem(at: source, to: destination) }
            try updated.save(to: layout)
        } catch {
            throw .notFound
        }
        metadata = updated
        logger.info("renamed repository", metadata: ["from": "\(repository.fullName)", "to": "\(updated.repositories[index].fullName)"])
        return updated.repositories[index]
    }
}
