// Hand-written (not generated): one wording of a push policy for the server's events and the CLI.

extension Netclode_V1_PushPolicy {
    /// What the policy lets a session push, in one line, with the defaults of absent fields
    /// (force pushes and deletions of other branches allowed).
    public var summary: String {
        let which = branches.isEmpty ? "any branch" : "branches matching \(branches.joined(separator: ", "))"
        let force = !hasAllowForcePush || allowForcePush ? "force pushes allowed" : "no force pushes"
        let delete = !hasAllowDelete || allowDelete ? "deletions allowed" : "no deletions"
        return "\(which); \(force), \(delete) (the default branch is never rewritten or deleted, tags never deleted)"
    }
}
