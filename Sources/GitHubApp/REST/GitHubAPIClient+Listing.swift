import Foundation
import NIOHTTP1

/// The two calls behind "which repositories can the App reach": the App's installations, and a
/// read-only token per installation to list its repositories with.
extension GitHubAPIClient {
    /// The only permission a listing token asks for. `metadata: read` lets a token read the
    /// installation's repository list and nothing else: no `contents`, so it can neither clone nor
    /// push.
    public static let listingPermissions = ["metadata": "read"]

    /// `GET /app/installations`, every page (following `Link: rel="next"`), with the App JWT.
    public func installations() async throws(GitHubError) -> [Installation] {
        try await counted { () async throws(GitHubError) in
            var next: String? = "/app/installations?per_page=100"
            var installations: [Installation] = []
            while let url = next {
                let response = try await send(.GET, url, credential: .app)
                guard response.status == 200 else { throw Self.unexpected(response) }
                installations += try response.decode([Installation].self)
                next = response.headers.first(name: "Link").flatMap { LinkHeader.url(in: $0, relation: "next") }
            }
            return installations
        }
    }

    /// `POST /app/installations/{id}/access_tokens` with `{"permissions": {"metadata": "read"}}`
    /// and nothing else: a token for **listing** the installation's repositories
    /// (`repositories(accessibleWith:)`), never for git.
    ///
    /// This is the one mint that names no repositories (``createInstallationToken`` refuses that):
    /// the token covers the whole installation, which is exactly what a listing needs, and is safe
    /// because it carries no `contents` permission. Should GitHub ever answer with any permission
    /// beyond `metadata: read`, the token is revoked at once and the call fails. Callers revoke the
    /// token (``revoke(_:)``) as soon as the listing is done.
    ///
    /// The returned token has no repositories and `access` `.read`; its ``InstallationToken/permissions``
    /// are what GitHub granted (`metadata: read` only).
    public func createListingToken(installationID: Int, owner: String = "") async throws(GitHubError) -> InstallationToken {
        try await counted { () async throws(GitHubError) in
            let body: Data
            do { body = try GitHubJSON.encoder().encode(ListingTokenRequest(permissions: Self.listingPermissions)) } catch {
                throw .unexpectedResponse(status: 0, message: "could not encode the token request: \(error)")
            }
            let issuedAt = Date()
            let response = try await send(.POST, "/app/installations/\(installationID)/access_tokens", credential: .app, body: body)
            switch response.status {
            case 201:
                let minted = try response.decode(InstallationAccessTokenResponse.self)
                let token = InstallationToken(
                    secret: minted.token, installationID: installationID, owner: owner, repositories: [],
                    access: .read, expiresAt: minted.expiresAt, issuedAt: issuedAt, permissions: minted.permissions
                )
                if let extra = minted.permissions.first(where: { Self.listingPermissions[$0.key] != $0.value }) {
                    try? await revoke(token)
                    throw .unexpectedResponse(status: 201, message: "GitHub granted \(extra.key): \(extra.value) to a listing token that asked for metadata: read only; the token was revoked")
                }
                return token
            case 404:
                throw .unexpectedResponse(status: 404, message: "GitHub App installation \(installationID) not found")
            default:
                throw Self.unexpected(response)
            }
        }
    }
}

/// The body of a listing-token request: permissions only, deliberately without `repositories`.
struct ListingTokenRequest: Encodable, Sendable {
    let permissions: [String: String]
}
