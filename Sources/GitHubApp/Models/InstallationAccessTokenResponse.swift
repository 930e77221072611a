import Foundation

/// The body of `POST /app/installations/{id}/access_tokens` (201).
///
/// Decoded straight into ``InstallationToken`` by the client; this type exists only for the wire.
struct InstallationAccessTokenResponse: Decodable, Sendable {
    let token: String
    let expiresAt: Date
    let permissions: [String: String]
    let repositorySelection: String?
    let repositories: [Repository]?

    enum CodingKeys: String, CodingKey {
        case token, permissions, repositories
        case expiresAt = "expires_at"
        case repositorySelection = "repository_selection"
    }
}

/// The body of a mint request. `repositories` is not optional: a request without it would mint an
/// installation-wide token, which Netclode never wants.
struct InstallationAccessTokenRequest: Encodable, Sendable {
    let repositories: [String]
    let permissions: [String: String]
}
