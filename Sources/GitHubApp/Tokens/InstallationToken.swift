import Foundation

/// An installation access token: scoped to some repositories of one installation, one access level,
/// valid until `expiresAt`.
///
/// The secret lives only in memory. Printing, interpolating or dumping the value shows its
/// fingerprint, never the secret, so it cannot end up in a log by accident; code that must hand the
/// secret on (to git, to the agent) reads ``secret`` explicitly.
public struct InstallationToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let secret: String
    public let installationID: Int
    /// The installation's account: every repository of this token belongs to it.
    public let owner: String
    public let repositories: [RepositoryReference]
    public let access: RepoAccess
    public let expiresAt: Date
    public let issuedAt: Date
    /// The permissions GitHub granted (always includes `metadata: read`).
    public let permissions: [String: String]

    public init(secret: String, installationID: Int, owner: String, repositories: [RepositoryReference], access: RepoAccess, expiresAt: Date, issuedAt: Date, permissions: [String: String]) {
        self.secret = secret
        self.installationID = installationID
        self.owner = owner
        self.repositories = repositories
        self.access = access
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.permissions = permissions
    }

    /// The first 12 hex characters of the secret's SHA-256: enough to correlate log lines.
    public var fingerprint: String { TokenFingerprint.of(secret) }

    public var description: String {
        "InstallationToken(sha256:\(fingerprint), installation: \(installationID), repos: \(repositories.map(\.fullName).joined(separator: ",")), access: \(access), expires: \(expiresAt))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["fingerprint": fingerprint, "installationID": installationID, "access": access, "expiresAt": expiresAt])
    }
}
