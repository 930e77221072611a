import Foundation

/// One repository to clone: its clone URL, `owner/name`, and the directory (relative to the
/// workspace) it goes into — `""` for the workspace root.
public struct CloneTarget: Sendable, Hashable, CustomStringConvertible {
    /// `https://github.com/owner/repo.git` (never with credentials).
    public var url: String
    public var owner: String
    public var name: String
    /// Relative to the workspace: `""` (the root) or e.g. `owner__repo`.
    public var directory: String

    public init(url: String, owner: String, name: String, directory: String) {
        self.url = url
        self.owner = owner
        self.name = name
        self.directory = directory
    }

    /// `owner` and `name` taken from the URL's last two path components (`.git` stripped).
    public init(url: String, directory: String) throws(CloneTargetError) {
        guard let components = URLComponents(string: url), components.host != nil else {
            throw .invalidURL(url)
        }
        let parts = components.path.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { throw .invalidURL(url) }
        let name = RepoCredential.strippingGitSuffix(parts[parts.count - 1])
        self.init(url: url, owner: parts[parts.count - 2], name: name, directory: directory)
    }

    public var fullName: String { "\(owner)/\(name)" }
    public var description: String { directory.isEmpty ? "\(fullName) → workspace root" : "\(fullName) → \(directory)" }

    /// The URL's `host[:port]`, as the credential helper sees it.
    public var host: String? { RepoCredential.host(ofURL: url) }
}

/// A clone URL that cannot be used.
public enum CloneTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "not a repository URL: \(SecretRedactor.redact(url))"
        }
    }
}

/// Where repositories go in the workspace: one repository → the workspace root itself; several →
/// `workspace/owner__repo` each.
public enum CloneLayout {
    /// The directory of `owner/name` when the session has `repositoryCount` repositories.
    public static func directory(owner: String, name: String, repositoryCount: Int) -> String {
        repositoryCount == 1 ? "" : "\(owner)__\(name)"
    }

    /// Targets for clone URLs laid out by the rule above.
    public static func targets(urls: [String]) throws(CloneTargetError) -> [CloneTarget] {
        var targets: [CloneTarget] = []
        for url in urls {
            var target = try CloneTarget(url: url, directory: "")
            target.directory = directory(owner: target.owner, name: target.name, repositoryCount: urls.count)
            targets.append(target)
        }
        return targets
    }
}
