import Foundation
import NIOHTTP1

/// The App and installation endpoints Netclode uses, each mapping GitHub's answers onto
/// ``GitHubError``.
extension GitHubAPIClient {
    /// `GET /repos/{owner}/{repo}/installation`: which installation of the App covers this repo.
    /// 404 means the repository does not exist or the App is not installed there.
    public func installation(for repository: RepositoryReference) async throws(GitHubError) -> Installation {
        try await counted { () async throws(GitHubError) in
            let response = try await send(.GET, "/repos/\(repository.owner)/\(repository.name)/installation", credential: .app)
            switch response.status {
            case 200: return try response.decode(Installation.self)
            case 404: throw .repositoryNotFound(repository)
            default: throw Self.unexpected(response)
            }
        }
    }

    /// `GET /app/installations/{id}`; nil when GitHub does not know the installation.
    public func installation(id: Int) async throws(GitHubError) -> Installation? {
        try await counted { () async throws(GitHubError) in
            let response = try await send(.GET, "/app/installations/\(id)", credential: .app)
            switch response.status {
            case 200: return try response.decode(Installation.self)
            case 404: return nil
            default: throw Self.unexpected(response)
            }
        }
    }

    /// `POST /app/installations/{id}/access_tokens` for `repositories` (all of `owner`, the
    /// installation's account) with `contents: access`.
    ///
    /// The request always names the repositories: without them GitHub would mint a token for the
    /// whole installation.
    public func createInstallationToken(
        installationID: Int,
        owner: String,
        repositories: [RepositoryReference],
        access: RepoAccess,
        installationURL: String? = nil
    ) async throws(GitHubError) -> InstallationToken {
        try await createInstallationToken(installationID: installationID, owner: owner, repositories: repositories,
                                          permissions: ["contents": access.rawValue], access: access, installationURL: installationURL)
    }

    /// `POST /app/installations/{id}/access_tokens` for `repositories` with exactly `permissions`
    /// (`metadata: read` comes with every token): e.g. the bot's `issues` and `pull_requests`
    /// token, which can comment and open a pull request but not push. `access` records the
    /// token's `contents` level (`read` when it has none).
    public func createInstallationToken(
        installationID: Int,
        owner: String,
        repositories: [RepositoryReference],
        permissions: [String: String],
        access: RepoAccess = .read,
        installationURL: String? = nil
    ) async throws(GitHubError) -> InstallationToken {
        try await counted { () async throws(GitHubError) in
            let request = try Self.mintRequest(owner: owner, repositories: repositories, permissions: permissions)
            let body: Data
            do { body = try GitHubJSON.encoder().encode(request) } catch {
                throw .unexpectedResponse(status: 0, message: "could not encode the token request: \(error)")
            }
            let issuedAt = Date()
            let response = try await send(.POST, "/app/installations/\(installationID)/access_tokens", credential: .app, body: body)
            return try Self.interpretMint(
                response, installationID: installationID, owner: owner, repositories: repositories, access: access,
                issuedAt: issuedAt, installationURL: installationURL ?? endpoints.installationsSettingsURL
            )
        }
    }

    /// Maps GitHub's answer to a mint request: 201 → the token; 404, 422 and 401 → the error the
    /// user should see.
    static func interpretMint(
        _ response: Response, installationID: Int, owner: String, repositories: [RepositoryReference],
        access: RepoAccess, issuedAt: Date, installationURL: String
    ) throws(GitHubError) -> InstallationToken {
        switch response.status {
        case 201:
            let minted = try response.decode(InstallationAccessTokenResponse.self)
            return InstallationToken(
                secret: minted.token, installationID: installationID, owner: owner, repositories: repositories,
                access: access, expiresAt: minted.expiresAt, issuedAt: issuedAt, permissions: minted.permissions
            )
        case 404:
            throw .unexpectedResponse(status: 404, message: "GitHub App installation \(installationID) not found (check GITHUB_INSTALLATION_ID)")
        case 422 where response.errorMessage.localizedCaseInsensitiveContains("permissions"):
            throw .permissionNotGranted(owner: owner, access: access)
        case 422:
            throw .notAccessibleByIntegration(repositories, installationURL: installationURL)
        default:
            throw Self.unexpected(response)
        }
    }

    /// The body of a mint request. Throws rather than ever producing one without repositories, and
    /// refuses repositories of another owner: a token is scoped to one installation's account.
    static func mintRequest(owner: String, repositories: [RepositoryReference], access: RepoAccess) throws(GitHubError) -> InstallationAccessTokenRequest {
        try mintRequest(owner: owner, repositories: repositories, permissions: ["contents": access.rawValue])
    }

    static func mintRequest(owner: String, repositories: [RepositoryReference], permissions: [String: String]) throws(GitHubError) -> InstallationAccessTokenRequest {
        guard !repositories.isEmpty else {
            throw .unexpectedResponse(status: 0, message: "refusing to mint a token without repositories (it would cover the whole installation)")
        }
        if let stranger = repositories.first(where: { $0.ownerKey != owner.lowercased() }) {
            throw .unexpectedResponse(status: 0, message: "refusing to mint a token for \(stranger.fullName) on the installation of \(owner)")
        }
        return InstallationAccessTokenRequest(repositories: repositories.map(\.name), permissions: permissions)
    }

    /// `DELETE /installation/token`. A token GitHub no longer accepts (already revoked or expired)
    /// counts as revoked.
    public func revoke(_ token: InstallationToken) async throws(GitHubError) {
        try await counted { () async throws(GitHubError) in
            let response = try await send(.DELETE, "/installation/token", credential: .installation(token: token.secret, issuedAt: nil))
            switch response.status {
            case 204, 401: return
            default: throw Self.unexpected(response)
            }
        }
    }

    /// `GET /installation/repositories`, every page (following `Link: rel="next"`, as GitHub asks
    /// clients to, rather than computing page numbers).
    public func repositories(accessibleWith token: InstallationToken, perPage: Int = 100) async throws(GitHubError) -> [Repository] {
        try await counted { () async throws(GitHubError) in
            var next: String? = "/installation/repositories?per_page=\(min(max(perPage, 1), 100))"
            var repositories: [Repository] = []
            while let url = next {
                let response = try await send(.GET, url, credential: .installation(token: token.secret, issuedAt: token.issuedAt))
                guard response.status == 200 else { throw Self.unexpected(response) }
                repositories += try response.decode(InstallationRepositoriesPage.self).repositories
                next = response.headers.first(name: "Link").flatMap { LinkHeader.url(in: $0, relation: "next") }
            }
            return repositories
        }
    }

    /// `GET /repos/{owner}/{repo}` with an installation token.
    public func repository(_ reference: RepositoryReference, token: InstallationToken) async throws(GitHubError) -> Repository {
        try await counted { () async throws(GitHubError) in
            let response = try await send(.GET, "/repos/\(reference.owner)/\(reference.name)", credential: .installation(token: token.secret, issuedAt: token.issuedAt))
            switch response.status {
            case 200: return try response.decode(Repository.self)
            case 404: throw .repositoryNotFound(reference)
            case 403: throw .notAccessibleByIntegration([reference], installationURL: endpoints.installationsSettingsURL)
            default: throw Self.unexpected(response)
            }
        }
    }

    static func unexpected(_ response: Response) -> GitHubError {
        response.status == 401 ? .badCredentials(response.errorMessage) : .unexpectedResponse(status: response.status, message: response.errorMessage)
    }
}
