import Foundation

/// Everything `forge.json` holds: the App, the accounts, the installations, the repositories,
/// who collaborates on them, and the SHA-256 of each user's token.
///
/// Installation tokens are deliberately absent: they live in memory only (see `ForgeState`), so a
/// forge restart invalidates every one, exactly like a leaked-token rotation on GitHub. User
/// tokens outlive restarts (a developer keeps theirs), so only their digests are kept here.
public struct ForgeMetadata: Codable, Sendable, Equatable {
    /// 2 added `collaborators`, `userTokens` and `RepositoryRecord.parentID`; version 1 files
    /// (no users, no forks) still load.
    public static let currentVersion = 2

    public var version: Int
    public var app: AppRecord
    public var accounts: [AccountRecord]
    public var installations: [InstallationRecord]
    public var repositories: [RepositoryRecord]
    public var collaborators: [CollaboratorRecord]
    public var userTokens: [UserTokenRecord]

    public init(version: Int = ForgeMetadata.currentVersion, app: AppRecord, accounts: [AccountRecord],
                installations: [InstallationRecord], repositories: [RepositoryRecord],
                collaborators: [CollaboratorRecord] = [], userTokens: [UserTokenRecord] = []) {
        self.version = version
        self.app = app
        self.accounts = accounts
        self.installations = installations
        self.repositories = repositories
        self.collaborators = collaborators
        self.userTokens = userTokens
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        app = try container.decode(AppRecord.self, forKey: .app)
        accounts = try container.decode([AccountRecord].self, forKey: .accounts)
        installations = try container.decode([InstallationRecord].self, forKey: .installations)
        repositories = try container.decode([RepositoryRecord].self, forKey: .repositories)
        collaborators = try container.decodeIfPresent([CollaboratorRecord].self, forKey: .collaborators) ?? []
        userTokens = try container.decodeIfPresent([UserTokenRecord].self, forKey: .userTokens) ?? []
    }
}

/// The GitHub App the forge impersonates.
public struct AppRecord: Codable, Sendable, Equatable {
    public var id: Int
    public var slug: String
    public var name: String
    public var clientID: String
    public var createdAt: String

    /// The App's bot user, who authors its commits: `<slug>[bot]`.
    public var botLogin: String { "\(slug)[bot]" }
    /// The bot user's id. GitHub numbers bot users apart from the App (the App's id is not its
    /// bot's); the forge derives one so it is stable across restarts.
    public var botUserID: Int { 100_000_000 + id }
}

/// A user account owning repositories (GitHub's `simple-user`).
public struct AccountRecord: Codable, Sendable, Equatable {
    public var id: Int
    public var login: String
    /// `User` or `Organization`.
    public var type: String
}

/// One installation of the App on one account, covering selected repositories.
public struct InstallationRecord: Codable, Sendable, Equatable {
    public var id: Int
    public var accountLogin: String
    public var repositoryIDs: [Int]
    /// Granted permissions, e.g. `contents: write`.
    public var permissions: [String: String]
    public var createdAt: String
}

/// A bare repository under `DIR/repos/OWNER/NAME.git`.
public struct RepositoryRecord: Codable, Sendable, Equatable {
    public var id: Int
    public var owner: String
    public var name: String
    public var description: String?
    public var createdAt: String
    /// The repository this one is a fork of (`forge init --fork`), as on GitHub a fork is
    /// another account's copy that pull requests can come from.
    public var parentID: Int?

    public init(id: Int, owner: String, name: String, description: String?, createdAt: String, parentID: Int? = nil) {
        self.id = id
        self.owner = owner
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.parentID = parentID
    }

    public var fullName: String { "\(owner)/\(name)" }
}

extension ForgeMetadata {
    public func account(login: String) -> AccountRecord? {
        accounts.first { $0.login.caseInsensitiveCompare(login) == .orderedSame }
    }

    public func repository(owner: String, name: String) -> RepositoryRecord? {
        repositories.first {
            $0.owner.caseInsensitiveCompare(owner) == .orderedSame && $0.name.caseInsensitiveCompare(name) == .orderedSame
        }
    }

    public func repository(id: Int) -> RepositoryRecord? {
        repositories.first { $0.id == id }
    }

    public func installation(id: Int) -> InstallationRecord? {
        installations.first { $0.id == id }
    }

    /// The installation on `login`'s account, if the App is installed there.
    public func installation(accountLogin login: String) -> InstallationRecord? {
        installations.first { $0.accountLogin.caseInsensitiveCompare(login) == .orderedSame }
    }

    /// The installation covering a repository, if any.
    public func installation(covering repository: RepositoryRecord) -> InstallationRecord? {
        installations.first { $0.repositoryIDs.contains(repository.id) }
    }

    /// The installation's repositories in declaration order.
    public func repositories(of installation: InstallationRecord) -> [RepositoryRecord] {
        installation.repositoryIDs.compactMap { repository(id: $0) }
    }

    /// `login`'s role on `repository`: `admin` for its owner, the declared role of a
    /// collaborator, `nil` for anyone else.
    public func role(of login: String, on repository: RepositoryRecord) -> RepositoryRole? {
        if repository.owner.caseInsensitiveCompare(login) == .orderedSame { return .admin }
        return collaborators.first {
            $0.repositoryID == repository.id && $0.login.caseInsensitiveCompare(login) == .orderedSame
        }?.role
    }
}
