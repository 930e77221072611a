/// A session's push policy as persisted (the git proxy's rules live in the control plane).
public struct PushPolicyRecord: Sendable, Equatable, Codable {
    /// Branch name globs a push may touch; empty: every branch.
    public var branches: [String]
    /// Non-fast-forward updates of branches other than the default one.
    public var allowForcePush: Bool
    /// Deletions of branches other than the default one.
    public var allowDelete: Bool

    public init(branches: [String], allowForcePush: Bool, allowDelete: Bool) {
        self.branches = branches
        self.allowForcePush = allowForcePush
        self.allowDelete = allowDelete
    }
}
