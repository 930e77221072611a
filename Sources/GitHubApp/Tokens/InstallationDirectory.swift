import Foundation

/// Finds which installation of the App covers an owner, with a per-owner cache.
///
/// One `GET /repos/{owner}/{repo}/installation` per owner not yet cached (an installation belongs
/// to one account, so any repo of the owner answers for all). When `GITHUB_INSTALLATION_ID` is set,
/// that installation's own account is served without a lookup; any other owner is still looked up,
/// never guessed: a default installation cannot cover repositories of another account.
///
/// Concurrent questions about one owner share what can be shared and nothing more. A lookup that
/// *found* the owner's installation answers every repository of that owner, so a question arriving
/// while one runs waits for it. A lookup that *failed* only speaks for the repository it asked
/// about: `acme/typo` not existing says nothing about `acme/app`, so a joiner whose shared lookup
/// ended in "not found" for another repository asks GitHub its own question.
actor InstallationDirectory {
    private struct Entry {
        let installation: Installation
        let fetchedAt: ContinuousClock.Instant
    }

    /// A lookup on its way, and the repository it asks about.
    private struct Lookup {
        let repository: RepositoryReference
        let task: Task<Installation, any Error>
    }

    private let client: GitHubAPIClient
    private let defaultInstallationID: Int?
    private let timeToLive: Duration
    private let clock = ContinuousClock()
    private var entries: [String: Entry] = [:]
    /// Running lookups by repository key (`owner/repo`, lower case).
    private var inFlight: [String: Lookup] = [:]
    private var defaultInstallation: Installation?

    init(client: GitHubAPIClient, defaultInstallationID: Int?, timeToLive: Duration) {
        self.client = client
        self.defaultInstallationID = defaultInstallationID
        self.timeToLive = timeToLive
    }

    /// The installation covering `repository`'s owner.
    func installation(for repository: RepositoryReference) async throws(GitHubError) -> Installation {
        if let cached = cached(ownerKey: repository.ownerKey) { return cached }
        if let defaultInstallation = try await defaultInstallationIfOwned(by: repository.ownerKey) {
            return defaultInstallation
        }
        if inFlight[repository.key] == nil, let sibling = inFlight.values.first(where: { $0.repository.ownerKey == repository.ownerKey }) {
            // Another repository of this owner is being looked up: its installation is ours too.
            if let installation = try? await sibling.task.value { return installation }
            if let cached = cached(ownerKey: repository.ownerKey) { return cached }
            // It failed for its own repository; only our own question answers for ours.
        }
        return try await lookUp(repository)
    }

    /// Forgets an owner, e.g. after GitHub said its installation no longer exists.
    func forget(ownerKey: String) {
        entries[ownerKey] = nil
    }

    private func cached(ownerKey: String) -> Installation? {
        guard let entry = entries[ownerKey], clock.now - entry.fetchedAt < timeToLive else { return nil }
        return entry.installation
    }

    /// Asks GitHub about `repository`, joining a lookup of the same repository if one is running.
    private func lookUp(_ repository: RepositoryReference) async throws(GitHubError) -> Installation {
        let task: Task<Installation, any Error>
        if let running = inFlight[repository.key] {
            task = running.task
        } else {
            let client = self.client
            task = Task { try await client.installation(for: repository) }
            inFlight[repository.key] = Lookup(repository: repository, task: task)
        }
        let result = await task.result
        // Whoever gets here first ends the shared lookup; a later one of the same key is not ours to clear.
        if let current = inFlight[repository.key], current.task == task { inFlight[repository.key] = nil }
        switch result {
        case .success(let installation):
            entries[repository.ownerKey] = Entry(installation: installation, fetchedAt: clock.now)
            return installation
        case .failure(let error as GitHubError):
            throw error
        case .failure(let error):
            throw .unavailable("installation lookup for \(repository.fullName): \(error)")
        }
    }

    private func defaultInstallationIfOwned(by ownerKey: String) async throws(GitHubError) -> Installation? {
        guard let defaultInstallationID else { return nil }
        if defaultInstallation == nil {
            guard let installation = try await client.installation(id: defaultInstallationID) else {
                throw .invalidSetting(name: "GITHUB_INSTALLATION_ID", reason: "names installation \(defaultInstallationID), which this GitHub App does not have")
            }
            defaultInstallation = installation
            if let login = installation.account?.login.lowercased() {
                entries[login] = Entry(installation: installation, fetchedAt: clock.now)
            }
        }
        guard let defaultInstallation, defaultInstallation.account?.login.lowercased() == ownerKey else { return nil }
        return defaultInstallation
    }
}
