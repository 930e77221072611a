import Foundation

/// A token the credential helper may hand to git: for `host`, the repositories `repositories` of
/// `owner`, until `expiresAt`.
///
/// The secret is only ever read explicitly (``token``); printing the value shows the repositories
/// and a length, never the token.
public struct RepoCredential: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `host` or `host:port` as git reports it (`github.com`, `127.0.0.1:8080`); compared
    /// case-insensitively, with `:443`/`:80` ignored.
    public var host: String
    public var owner: String
    /// Repository names of `owner` (`repo`; `owner/repo` is accepted and reduced to `repo`).
    public var repositories: [String]
    public var token: String
    public var expiresAt: Date?

    public init(host: String, owner: String, repositories: [String], token: String, expiresAt: Date? = nil) {
        self.host = host
        self.owner = owner
        self.repositories = repositories.map { name in
            if let slash = name.lastIndex(of: "/") { return String(name[name.index(after: slash)...]) }
            return name
        }
        self.token = token
        self.expiresAt = expiresAt
    }

    /// Whether this credential covers `owner/name` on `host`.
    public func covers(host: String, owner: String, name: String) -> Bool {
        Self.normalizedHost(host) == Self.normalizedHost(self.host)
            && owner.lowercased() == self.owner.lowercased()
            && repositories.contains { $0.lowercased() == Self.strippingGitSuffix(name).lowercased() }
    }

    public var description: String {
        "RepoCredential(host: \(host), owner: \(owner), repos: \(repositories.joined(separator: ",")), token: <\(token.count) chars>, expires: \(expiresAt.map { "\($0)" } ?? "-"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "owner": owner, "repositories": repositories, "expiresAt": expiresAt as Any])
    }

    /// `host[:port]` of a URL such as `https://github.com/owner/repo.git`, as git's credential
    /// protocol reports it.
    public static func host(ofURL url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return nil }
        if let port = components.port { return "\(host):\(port)" }
        return host
    }

    static func normalizedHost(_ host: String) -> String {
        var value = host.lowercased()
        for suffix in [":443", ":80"] where value.hasSuffix(suffix) {
            value.removeLast(suffix.count)
        }
        return value
    }

    static func strippingGitSuffix(_ name: String) -> String {
        name.lowercased().hasSuffix(".git") ? String(name.dropLast(4)) : name
    }
}
