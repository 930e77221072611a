import Foundation

/// What `forge init` made; rendered as text or `--json` by the CLI.
public struct ForgeInitResult: Sendable {
    public var metadata: ForgeMetadata
    public var privateKeyPath: String
    /// Each user's token file (`DIR/users/LOGIN.token`, 0600), in declaration order.
    public var userTokenPaths: [(login: String, path: String)]
    public var webhook: WebhookSettings?

    public struct InstallationSummary: Sendable, Equatable {
        public var id: Int
        public var account: String
        public var repositories: [String]
    }

    public var installations: [InstallationSummary] {
        metadata.installations.map { installation in
            InstallationSummary(id: installation.id, account: installation.accountLogin,
                                repositories: metadata.repositories(of: installation).map(\.fullName))
        }
    }

    /// Repositories no installation covers (forks aside).
    public var uninstalledRepositories: [String] {
        metadata.repositories.filter { metadata.installation(covering: $0) == nil && $0.parentID == nil }.map(\.fullName)
    }

    /// `FORK=PARENT` full names.
    public var forks: [String] {
        metadata.repositories.compactMap { fork in
            fork.parentID.flatMap { metadata.repository(id: $0) }.map { "\(fork.fullName)=\($0.fullName)" }
        }
    }

    /// Each user's roles, e.g. `demo/hello:write`.
    public func roles(of login: String) -> [String] {
        metadata.collaborators.filter { $0.login.caseInsensitiveCompare(login) == .orderedSame }.compactMap { collaborator in
            metadata.repository(id: collaborator.repositoryID).map { "\($0.fullName):\(collaborator.role.rawValue)" }
        }
    }

    /// The `--json` document (token paths, never tokens; never the webhook secret).
    public var json: JSONValue {
        [
            "appId": .int(metadata.app.id),
            "appSlug": .string(metadata.app.slug),
            "clientId": .string(metadata.app.clientID),
            "privateKeyPath": .string(privateKeyPath),
            "installations": .array(installations.map {
                ["id": .int($0.id), "account": .string($0.account), "repos": .array($0.repositories.map(JSONValue.string))]
            }),
            "uninstalledRepos": .array(uninstalledRepositories.map(JSONValue.string)),
            "forks": .array(forks.map(JSONValue.string)),
            "users": .array(userTokenPaths.map { user in
                ["login": .string(user.login), "tokenPath": .string(user.path), "roles": .array(roles(of: user.login).map(JSONValue.string))]
            }),
            "webhookUrl": .optional(webhook?.url),
        ]
    }
}
