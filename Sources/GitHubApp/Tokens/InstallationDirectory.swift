import Foundation

/// Finds which installation of the App covers an owner, with a per-owner cache.
///
/// One `GET /repos/{owner}/{repo}/installation` per owner not yet cached (an installation belongs
/// to one account, so any repo of the owner answers for all). When `GITHUB_INSTALLATION_ID` is set,
/// that installation's own account is served without a lookup; any other owner is still looked up,
/// never guessed: a default installation cannot cover repositories of another account.
/// Concurrent questions about one owner share one request.
actor InstallationDirectory {
    private struct Entry {
        let installation: Installation
        let fetchedAt: ContinuousClock.Instant
    }

    private let client: GitHubAPIClient
    private let defaultInstallationID: Int?
    private let timeToLive: Duration
    private let clock = ContinuousClock()
    private var entries: [String: Entry] = [:]
    private var inFlight: [String: Task<Installation, any Error>] = [:]
    private var defaultInstallation: Installation?

    init(client: GitHubAPIClient, defaultInstallationID: Int?, timeToLive: Duration) {
        self.client = client
        self.defaultInstallationID = defaultInstallationID
        self.timeToLive = timeToLive
    }

    /// The installation covering `repository`'s owner.
    func installation(for repository: RepositoryReference) async throws(GitHubError) -> Installation {
        if let entry = entries[repository.ownerKey], clock.now - entry.fetchedAt < timeToLive {
            return entry.installation
        }
        if let defaultInstallation = try await defaultInstallationIfOwned(by: repository.ownerKey) {
            return defaultInstallation
        }
        let task: Task<Installation, any Error>
        if let running = inFlight[repository.ownerKey] {
            task = running
        } else {
            let client = self.client
            task = Task { try await client.installation(for: repository) }
            inFlight[repository.ownerKey] = task
        }
        do {
            let installation = try await task.value
            inFlight[repository.ownerKey] = nil
            entries[repository.ownerKey] = Entry(installation: installation, fetchedAt: clock.now)
            return installation
        } catch let error as GitHubError {
            inFlight[repository.ownerKey] = nil
            // The shared request asked about another repo of this owner: report the one asked for.
            if case .repositoryNotFound = error { throw .repositoryNotFound(repository) }
            throw error
        } catch {
            inFlight[repository.ownerKey] = nil
            throw .unavailable("installation lookup for \(repository.fullName): \(error)")
        }
    }

    /// Forgets an owner, e.g. after GitHub said its installation no longer exists.
    func forget(ownerKey: String) {
        entries[ownerKey] = nil
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
