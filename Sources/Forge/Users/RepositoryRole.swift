/// A person's role on a repository, GitHub's five levels from `read` to `admin`.
public enum RepositoryRole: String, Codable, Sendable, CaseIterable, Comparable {
    case read, triage, write, maintain, admin

    private var rank: Int {
        switch self {
        case .read: return 1
        case .triage: return 2
        case .write: return 3
        case .maintain: return 4
        case .admin: return 5
        }
    }

    public static func < (lhs: RepositoryRole, rhs: RepositoryRole) -> Bool { lhs.rank < rhs.rank }

    /// What `GET .../collaborators/{user}/permission` calls `permission`: GitHub folds the five
    /// roles into the older three (`maintain` → `write`, `triage` → `read`).
    public var legacyPermission: String {
        switch self {
        case .admin: return "admin"
        case .maintain, .write: return "write"
        case .triage, .read: return "read"
        }
    }
}

/// `login` collaborates on a repository with `role` (`forge init --collaborator`).
public struct CollaboratorRecord: Codable, Sendable, Equatable {
    public var repositoryID: Int
    public var login: String
    public var role: RepositoryRole

    public init(repositoryID: Int, login: String, role: RepositoryRole) {
        self.repositoryID = repositoryID
        self.login = login
        self.role = role
    }
}

/// A user's API token, kept as its SHA-256 only; the token itself is written once, to
/// `DIR/users/LOGIN.token` (0600), for the tests and the developer to use.
public struct UserTokenRecord: Codable, Sendable, Equatable {
    public var login: String
    public var sha256: String

    public init(login: String, sha256: String) {
        self.login = login
        self.sha256 = sha256
    }
}
