import Foundation

/// One repository to clone: its clone URL, `owner/name`, and the directory (relative to the
/// workspace) it goes into — `""` for the workspace root. All of it comes from the control plane's
/// agent config, which alone decides the layout (one repository: the root; several:
/// `owner__repo`), so the agent has no rule of its own that could disagree.
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

    public var fullName: String { "\(owner)/\(name)" }
    public var description: String { directory.isEmpty ? "\(fullName) → workspace root" : "\(fullName) → \(directory)" }

    /// The URL's `host[:port]`, as the credential helper sees it.
    public var host: String? { RepoCredential.host(ofURL: url) }
}
