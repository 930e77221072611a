import Foundation
import Logging

/// Mints, refreshes and revokes the installation tokens of every session, and keeps them in memory
/// only.
///
/// A session's lease holds one token per installation its repositories belong to, each scoped to
/// exactly those repositories and the session's access level. Before a token expires the broker
/// mints its successor, hands it to the session's ``TokenRenewal`` handler, and only then revokes the
/// old one, so the sandbox never holds a dead credential. Every mint, refresh and revocation logs one
/// line with the token's fingerprint — never the token — and the session as `session_id`, and is
/// counted in the client's ``GitHubMetrics``.
public actor TokenBroker {
    public struct Options: Sendable {
        /// How long before expiry a token is replaced. Scaled down for short lifetimes (at most
        /// `maximumLeadFraction` of the lifetime), so a forge issuing 3-second tokens still works.
        public var refreshLead: Duration
        public var maximumLeadFraction: Double
        /// Up to this fraction of the lead is subtracted at random, so sessions created together do
        /// not all refresh in the same second.
        public var jitter: Double
        /// Wait after a failed refresh, shortened as expiry approaches.
        public var retryAfterFailure: Duration
        public var installationCacheTTL: Duration
        /// How long a token replaced by a refresh stays valid before it is revoked (never beyond
        /// its expiry). git asks the credential helper once per operation, so a push that began
        /// with the old token must be able to finish with it; a same-level refresh widens nothing.
        public var retiredTokenGrace: Duration

        public init(
            refreshLead: Duration = .seconds(600),
            maximumLeadFraction: Double = 0.3,
            jitter: Double = 0.1,
            retryAfterFailure: Duration = .seconds(30),
            installationCacheTTL: Duration = .seconds(300),
            retiredTokenGrace: Duration = .seconds(60)
        ) {
            self.refreshLead = refreshLead
            self.maximumLeadFraction = maximumLeadFraction
            self.jitter = jitter
            self.retryAfterFailure = retryAfterFailure
            self.installationCacheTTL = installationCacheTTL
            self.retiredTokenGrace = retiredTokenGrace
        }
    }

    public typealias RenewalHandler = @Sendable (TokenRenewal) async throws -> Void

    private struct Lease {
        let repositories: [RepositoryReference]
        let access: RepoAccess
        var tokens: [InstallationToken]
        let onRenewal: RenewalHandler?
        var refresher: Task<Void, Never>?
        /// Distinguishes this lease from a later one of the same session.
        let generation: Int
    }

    public nonisolated let client: GitHubAPIClient
    private let options: Options
    private let logger: Logger
    private let directory: InstallationDirectory
    private var leases: [String: Lease] = [:]
    /// Tokens replaced by a refresh, waiting out their grace period before revocation.
    private var retiring: [String: [InstallationToken]] = [:]
    /// Leases being minted, per session: a ``revoke(session:)`` meanwhile removes the session's
    /// entries, and the mint then finds its session released.
    private var minting: [String: Set<Int>] = [:]
    /// Fresh tokens of a refresh being delivered, with the lease generation they renew.
    private var delivering: [String: (generation: Int, tokens: [InstallationToken])] = [:]
    private var generation = 0
    private var isShutDown = false

    public init(client: GitHubAPIClient, defaultInstallationID: Int?, options: Options = .init(), logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
        self.directory = InstallationDirectory(client: client, defaultInstallationID: defaultInstallationID, timeToLive: options.installationCacheTTL)
    }

    public init(configuration: GitHubAppConfiguration, options: Options = .init(), clientOptions: GitHubAPIClient.Options = .init(), logger: Logger) {
        self.init(
            client: GitHubAPIClient(configuration: configuration, options: clientOptions, logger: logger),
            defaultInstallationID: configuration.defaultInstallationID,
            options: options,
            logger: logger
        )
    }

    /// Mints the tokens of `session`: one per installation involved, scoped to `repositories` and
    /// `access`. Replaces (and revokes) any tokens the session held before.
    ///
    /// All or nothing: if any installation fails, tokens already minted for the others are revoked
    /// before the error is thrown.
    @discardableResult
    public func lease(
        session: String,
        repositories: [RepositoryReference],
        access: RepoAccess,
        onRenewal: RenewalHandler? = nil
    ) async throws(GitHubError) -> [InstallationToken] {
        try refuseAfterShutdown()
        generation += 1
        let mine = generation
        minting[session, default: []].insert(mine)
        let tokens: [InstallationToken]
        do {
            tokens = try await mint(session: session, repositories: repositories, access: access, event: "minted")
        } catch {
            finishMinting(session, mine)
            throw error
        }
        // A release (pause, delete, shutdown) that arrived while GitHub was minting wins: the
        // session must not come out of it holding live tokens.
        guard finishMinting(session, mine), !isShutDown else {
            await revoke(tokens, session: session, reason: "session released while its token was minted")
            throw .unavailable("session \(session) was released while its token was being minted")
        }
        let previous = leases[session]
        var lease = Lease(repositories: repositories, access: access, tokens: tokens, onRenewal: onRenewal, generation: mine)
        lease.refresher = scheduleRefresh(session: session, generation: mine, tokens: tokens)
        leases[session] = lease
        if let previous {
            previous.refresher?.cancel()
            await revoke(previous.tokens, session: session, reason: "replaced")
        }
        return tokens
    }

    /// Mints tokens for a new lease of `session` without touching its current one, for changes that
    /// must be confirmed first (an access change the agent has to acknowledge). Follow with
    /// ``commit(session:tokens:repositories:access:onRenewal:)`` or ``discard(_:session:)``.
    public func prepare(session: String, repositories: [RepositoryReference], access: RepoAccess) async throws(GitHubError) -> [InstallationToken] {
        try refuseAfterShutdown()
        return try await mint(session: session, repositories: repositories, access: access, event: "minted")
    }

    /// Makes prepared tokens the session's lease and revokes the ones they replace, so a downgrade
    /// takes effect at once.
    public func commit(session: String, tokens: [InstallationToken], repositories: [RepositoryReference], access: RepoAccess, onRenewal: RenewalHandler? = nil) async {
        generation += 1
        let previous = leases[session]
        var lease = Lease(repositories: repositories, access: access, tokens: tokens, onRenewal: onRenewal ?? previous?.onRenewal, generation: generation)
        lease.refresher = scheduleRefresh(session: session, generation: generation, tokens: tokens)
        leases[session] = lease
        if let previous {
            previous.refresher?.cancel()
            await revoke(previous.tokens, session: session, reason: "replaced (\(previous.access) → \(access))")
        }
    }

    /// Revokes prepared tokens that will not be used.
    public func discard(_ tokens: [InstallationToken], session: String) async {
        await revoke(tokens, session: session, reason: "discarded")
    }

    /// The tokens `session` holds now.
    public func tokens(for session: String) -> [InstallationToken] {
        leases[session]?.tokens ?? []
    }

    /// Whether `tokens` still belong to `session`'s current lease: its tokens, or the fresh tokens
    /// of a refresh of that lease being delivered now.
    ///
    /// A renewal handler that delivers asynchronously asks this at the moment of delivery, under
    /// whatever serialises its session's changes: a refresh minted for a lease that an access change
    /// replaced meanwhile must not reach the agent after the new level did (it would be revoked
    /// right after, leaving git without a working credential). The handler then throws
    /// ``TokenRenewalSuperseded`` and the broker revokes the stale tokens quietly.
    public func isCurrent(_ tokens: [InstallationToken], session: String) -> Bool {
        guard let lease = leases[session] else { return false }
        if lease.tokens == tokens { return true }
        guard let refresh = delivering[session] else { return false }
        return refresh.generation == lease.generation && refresh.tokens == tokens
    }

    /// Stops refreshing `session` and revokes its tokens. Safe to call for a session without tokens.
    public func revoke(session: String) async {
        minting[session] = nil
        delivering[session] = nil
        let retired = retiring.removeValue(forKey: session) ?? []
        if !retired.isEmpty { await revoke(retired, session: session, reason: "session released") }
        guard let lease = leases.removeValue(forKey: session) else { return }
        lease.refresher?.cancel()
        await revoke(lease.tokens, session: session, reason: "session released")
    }

    /// Forgets which installation covers `owner`, so the next mint asks GitHub again: the App was
    /// installed, uninstalled or given other repositories there (the bot's `installation` and
    /// `installation_repositories` webhooks).
    public func forgetInstallation(of owner: String) async {
        await directory.forget(ownerKey: owner.lowercased())
    }

    /// Revokes every token and stops all refreshes (graceful shutdown: a token nobody holds in memory
    /// any more should not stay valid for the rest of its hour).
    public func shutdown() async {
        isShutDown = true
        minting.removeAll()
        for session in Set(leases.keys).union(retiring.keys) { await revoke(session: session) }
    }

    // MARK: Minting

    private func refuseAfterShutdown() throws(GitHubError) {
        if isShutDown { throw .unavailable("the token broker has shut down") }
    }

    /// Ends the mint `generation` of `session`; false when the session was released meanwhile.
    @discardableResult
    private func finishMinting(_ session: String, _ generation: Int) -> Bool {
        guard minting[session]?.remove(generation) != nil else { return false }
        if minting[session]?.isEmpty == true { minting[session] = nil }
        return true
    }

    private func mint(session: String, repositories: [RepositoryReference], access: RepoAccess, event: String) async throws(GitHubError) -> [InstallationToken] {
        let groups = try await groupByInstallation(repositories)
        var minted: [InstallationToken] = []
        var failure: GitHubError?
        await withTaskGroup(of: Result<InstallationToken, GitHubError>.self) { group in
            for (installation, repos) in groups {
                let client = self.client
                group.addTask {
                    do throws(GitHubError) {
                        return .success(try await client.createInstallationToken(
                            installationID: installation.id,
                            owner: installation.account?.login ?? repos[0].owner,
                            repositories: repos,
                            access: access,
                            installationURL: installation.htmlURL
                        ))
                    } catch .notAccessibleByIntegration(let repos, let url) where repos.count > 1 {
                        return .failure(await Self.narrow(repos, installationID: installation.id, installationURL: url, client: client))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await result in group {
                switch result {
                case .success(let token): minted.append(token)
                case .failure(let error): failure = failure ?? error
                }
            }
        }
        if let failure {
            await revoke(minted, session: session, reason: "rolled back: \(failure.message)")
            throw failure
        }
        // Keep the order of the session's repositories, so tokens line up with what the user asked.
        minted.sort { lhs, rhs in
            (repositories.firstIndex(of: lhs.repositories[0]) ?? 0) < (repositories.firstIndex(of: rhs.repositories[0]) ?? 0)
        }
        for token in minted {
            log(event, token, session: session)
            client.options.metrics.minted(refresh: event == "refreshed")
        }
        return minted
    }

    /// GitHub's 422 does not say which repository the installation does not cover; asking per
    /// repository (only on this error path) lets the message name the culprits.
    private static func narrow(_ repositories: [RepositoryReference], installationID: Int, installationURL: String, client: GitHubAPIClient) async -> GitHubError {
        var culprits: [RepositoryReference] = []
        for repository in repositories {
            do throws(GitHubError) {
                if try await client.installation(for: repository).id != installationID { culprits.append(repository) }
            } catch {
                culprits.append(repository)
            }
        }
        return .notAccessibleByIntegration(culprits.isEmpty ? repositories : culprits, installationURL: installationURL)
    }

    /// Groups repositories by the installation covering their owner (one lookup per owner).
    private func groupByInstallation(_ repositories: [RepositoryReference]) async throws(GitHubError) -> [(Installation, [RepositoryReference])] {
        guard !repositories.isEmpty else {
            throw .unexpectedResponse(status: 0, message: "a token lease needs at least one repository")
        }
        var groups: [(Installation, [RepositoryReference])] = []
        for repository in repositories {
            let installation = try await directory.installation(for: repository)
            if let index = groups.firstIndex(where: { $0.0.id == installation.id }) {
                groups[index].1.append(repository)
            } else {
                groups.append((installation, [repository]))
            }
        }
        return groups
    }

    // MARK: Refreshing

    private func scheduleRefresh(session: String, generation: Int, tokens: [InstallationToken]) -> Task<Void, Never> {
        Task { [weak self] in
            await self?.refreshLoop(session: session, generation: generation)
        }
    }

    /// When `tokens` should be replaced: `lead` before the earliest expiry.
    func refreshDeadline(for tokens: [InstallationToken]) -> Date {
        let earliest = tokens.min { $0.expiresAt < $1.expiresAt }!
        let lifetime = max(earliest.expiresAt.timeIntervalSince(earliest.issuedAt), 0)
        let lead = min(options.refreshLead.seconds, lifetime * options.maximumLeadFraction)
        let jittered = lead * (1 + Double.random(in: 0...max(options.jitter, 0)))
        return earliest.expiresAt.addingTimeInterval(-jittered)
    }

    private func refreshLoop(session: String, generation: Int) async {
        var failures = 0
        while !Task.isCancelled {
            guard let lease = leases[session], lease.generation == generation else { return }
            let wait = failures == 0
                ? refreshDeadline(for: lease.tokens).timeIntervalSinceNow
                : retryDelay(before: lease.tokens, failures: failures)
            if wait > 0 {
                do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch { return }
            }
            guard let current = leases[session], current.generation == generation else { return }
            // Not cancelled with the loop: once a mint has started, its token is either delivered
            // or revoked (a pause or delete arriving meanwhile is handled by the generation check).
            let attempt = Task { () async -> GitHubError? in
                do throws(GitHubError) {
                    try await self.refresh(session: session, lease: current)
                    return nil
                } catch {
                    return error
                }
            }
            if let error = await attempt.value {
                failures += 1
                let retryIn = Duration.milliseconds(Int64(retryDelay(before: current.tokens, failures: failures) * 1000))
                logger.warning("token refresh failed", metadata: ["session_id": "\(session)", "error": "\(error.message)", "retryInMs": "\(retryIn.milliseconds)"])
                try? await current.onRenewal?(.failed(error, retryIn: retryIn))
            } else {
                failures = 0
            }
        }
    }

    private func refresh(session: String, lease: Lease) async throws(GitHubError) {
        let fresh = try await mint(session: session, repositories: lease.repositories, access: lease.access, event: "refreshed")
        guard leases[session]?.generation == lease.generation else {
            await revoke(fresh, session: session, reason: "session released during refresh")
            return
        }
        delivering[session] = (lease.generation, fresh)
        do {
            try await lease.onRenewal?(.renewed(fresh))
            if delivering[session]?.tokens == fresh { delivering[session] = nil }
        } catch is TokenRenewalSuperseded {
            if delivering[session]?.tokens == fresh { delivering[session] = nil }
            await revoke(fresh, session: session, reason: "superseded before delivery")
            return
        } catch {
            if delivering[session]?.tokens == fresh { delivering[session] = nil }
            await revoke(fresh, session: session, reason: "not delivered")
            throw .unavailable("the new token could not be delivered: \(error)")
        }
        guard var current = leases[session], current.generation == lease.generation else {
            // Released or replaced while we were minting: the fresh tokens belong to nobody.
            await revoke(fresh, session: session, reason: "session released during refresh")
            return
        }
        let retired = current.tokens
        current.tokens = fresh
        leases[session] = current
        retire(retired, session: session)
    }

    /// Revokes tokens replaced by a refresh after ``Options/retiredTokenGrace`` (or at their
    /// expiry, if sooner).
    private func retire(_ tokens: [InstallationToken], session: String) {
        retiring[session, default: []] += tokens
        let untilExpiry = (tokens.map { $0.expiresAt.timeIntervalSinceNow }.min() ?? 0)
        let delay = min(options.retiredTokenGrace.seconds, max(untilExpiry, 0))
        Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            await self?.revokeRetired(tokens, session: session)
        }
    }

    private func revokeRetired(_ tokens: [InstallationToken], session: String) async {
        guard let pending = retiring[session] else { return }
        let due = pending.filter(tokens.contains)
        let rest = pending.filter { !tokens.contains($0) }
        retiring[session] = rest.isEmpty ? nil : rest
        // A token that has already expired is dead without GitHub's help.
        await revoke(due.filter { $0.expiresAt > Date() }, session: session, reason: "refreshed")
    }

    /// Seconds to wait before retrying a failed refresh: the configured delay, but never so long
    /// that the tokens lapse (a quarter of the remaining lifetime, at least half a second).
    private func retryDelay(before tokens: [InstallationToken], failures: Int) -> TimeInterval {
        let remaining = tokens.map { $0.expiresAt.timeIntervalSinceNow }.min() ?? 0
        let backoff = options.retryAfterFailure.seconds * Double(min(failures, 4)) / 4
        return max(min(backoff, remaining / 4), 0.5)
    }

    // MARK: Revoking

    private func revoke(_ tokens: [InstallationToken], session: String, reason: String) async {
        guard !tokens.isEmpty else { return }
        let client = self.client
        let logger = self.logger
        // A revocation must complete even when the task asking for it is cancelled (a refresh cut
        // short by a pause would otherwise leave its fresh token alive): an unstructured task does
        // not inherit the caller's cancellation.
        await Task {
            await Self.revoke(tokens, session: session, reason: reason, client: client, logger: logger)
        }.value
    }

    private static func revoke(_ tokens: [InstallationToken], session: String, reason: String, client: GitHubAPIClient, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            for token in tokens {
                group.addTask {
                    do throws(GitHubError) {
                        try await client.revoke(token)
                        TokenBroker.log("revoked", token, session: session, logger: logger, extra: ["reason": "\(reason)"])
                        client.options.metrics.revoked()
                    } catch {
                        logger.error("token revocation failed; it stays valid until it expires", metadata: [
                            "session_id": "\(session)", "sha256": "\(token.fingerprint)", "expires": "\(token.expiresAt)", "error": "\(error.message)",
                        ])
                    }
                }
            }
        }
    }

    private func log(_ event: String, _ token: InstallationToken, session: String) {
        Self.log(event, token, session: session, logger: logger)
    }

    private static func log(_ event: String, _ token: InstallationToken, session: String, logger: Logger, extra: Logger.Metadata = [:]) {
        var metadata: Logger.Metadata = [
            "session_id": "\(session)",
            "installation": "\(token.installationID)",
            "repos": "\(token.repositories.map(\.fullName).joined(separator: ","))",
            "access": "\(token.access)",
            "expires": "\(ISO8601DateFormatter().string(from: token.expiresAt))",
            "sha256": "\(token.fingerprint)",
        ]
        metadata.merge(extra) { _, new in new }
        logger.info("installation token \(event)", metadata: metadata)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
