import NIOHTTP1

extension GitHubAPIClient {
    /// `GET /installation/repositories?per_page=1`: how many repositories the token's installation
    /// covers (GitHub's `total_count`), in one request however many there are.
    public func repositoryCount(accessibleWith token: InstallationToken) async throws(GitHubError) -> Int {
        try await counted { () async throws(GitHubError) in
            let response = try await send(.GET, "/installation/repositories?per_page=1",
                                          credential: .installation(token: token.secret, issuedAt: token.issuedAt))
            guard response.status == 200 else { throw Self.unexpected(response) }
            return try response.decode(InstallationRepositoriesPage.self).totalCount
        }
    }
}
