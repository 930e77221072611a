import Foundation
import GitHubApp
import Logging
import NetclodeProto
import SwiftProtobuf

/// `GitHubService/ListRepos`: the repositories the App's installations can reach.
///
/// For each installation (`GET /app/installations`, every page) it mints a token that carries
/// only `metadata: read` (``GitHubAPIClient/createListingToken(installationID:owner:)``: it can
/// read the repository list, never clone or push), reads `GET /installation/repositories` (every
/// page) with it, and revokes it right away, whether the listing worked or not. Nothing is cached:
/// each call lists afresh, so every listing costs one mint and one revocation per installation.
struct RepositoryListing: Sendable {
    let github: GitHubAccess
    let logger: Logger

    /// Every reachable repository, sorted by full name (case-insensitively). Without App settings:
    /// `failed_precondition` with the "GitHub App not configured" message.
    func repositories() async throws(ControlPlaneError) -> [Netclode_V1_Repository] {
        let client: GitHubAPIClient
        switch github {
        case .notConfigured(let error, _): throw ControlPlaneError(error)
        case .configured(let broker, _): client = await broker.client
        }
        do {
            var listed: [Netclode_V1_Repository] = []
            for installation in try await client.installations() {
                listed += try await repositories(of: installation, client: client)
            }
            return listed.sorted { $0.fullName.lowercased() < $1.fullName.lowercased() }
        } catch {
            throw ControlPlaneError(error)
        }
    }

    /// One installation's repositories, with a listing token revoked before returning.
    private func repositories(of installation: Installation, client: GitHubAPIClient) async throws(GitHubError) -> [Netclode_V1_Repository] {
        let owner = installation.account?.login ?? ""
        let token = try await client.createListingToken(installationID: installation.id, owner: owner)
        let found: [Repository]
        do {
            found = try await client.repositories(accessibleWith: token)
        } catch {
            await revoke(token, client: client)
            throw error
        }
        await revoke(token, client: client)
        return found.map { repository in
            Netclode_V1_Repository.with {
                $0.fullName = repository.fullName
                $0.cloneURL = cloneURL(of: repository)
                $0.private = repository.isPrivate
                $0.defaultBranch = repository.defaultBranch ?? ""
                $0.installationID = Int64(installation.id)
                $0.owner = repository.owner.login
            }
        }
    }

    /// The same normalised URL a session shows for the repository (`<web URL>/owner/repo.git`).
    private func cloneURL(of repository: Repository) -> String {
        if let reference = try? RepositoryReference(owner: repository.owner.login, name: repository.name) {
            return reference.cloneURL(webURL: github.endpoints.webURL).absoluteString
        }
        return repository.cloneURL ?? ""
    }

    /// A failed revocation is logged, not reported: the listing is already done, and the token
    /// (metadata read only) expires by itself within the hour.
    ///
    /// The revocation runs in an unstructured task, as the broker's do: a listing cut short because
    /// its request was cancelled (the client went away) is exactly when the token still needs
    /// revoking, and a cancelled task's HTTP request would be cancelled with it.
    private func revoke(_ token: InstallationToken, client: GitHubAPIClient) async {
        let logger = self.logger
        await Task {
            do throws(GitHubError) {
                try await client.revoke(token)
            } catch {
                logger.warning("could not revoke a listing token", metadata: ["token.sha256": "\(token.fingerprint)", "error": "\(error.message)"])
            }
        }.value
    }
}
