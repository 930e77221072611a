import Foundation

/// An installation token the forge minted; held in memory only.
struct IssuedToken: Sendable {
    var installationID: Int
    /// The repositories the token was restricted to, or `nil` for "every repository of the
    /// installation" (GitHub's behaviour when the request names none).
    var repositoryIDs: [Int]?
    var permissions: [String: String]
    var expiresAt: Date
    /// First 12 hex characters of the token's SHA-256, for logs.
    var fingerprint: String

    func isExpired(now: Date = Date()) -> Bool { now >= expiresAt }

    /// Whether `permission` (e.g. `contents`) is granted at `level` or above.
    func grants(_ permission: String, atLeast level: String) -> Bool {
        guard let granted = permissions[permission] else { return false }
        return PermissionLevel.rank(granted) >= PermissionLevel.rank(level)
    }
}

/// GitHub's permission levels, ordered: `read` < `write` < `admin`.
enum PermissionLevel {
    static func rank(_ level: String) -> Int {
        switch level {
        case "read": return 1
        case "write": return 2
        case "admin": return 3
        default: return 0
        }
    }
}
