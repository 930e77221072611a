import Foundation
import NetclodeProto
import Storage
import SwiftProtobuf

/// What a proxy-mode session may push, checked by the git proxy on each push's command list
/// before anything reaches GitHub.
///
/// Whatever the policy says, the repository's default branch is never rewritten or deleted and
/// tags are never deleted: those are the changes an agent cannot take back. Everything else is the
/// session's choice: which branches (`branches` globs; empty is every branch), and whether other
/// branches may be force-pushed or deleted.
public struct PushPolicy: Sendable, Equatable {
    public var branches: [String]
    public var allowForcePush: Bool
    public var allowDelete: Bool

    /// Every branch; force pushes and deletions of branches other than the default one allowed.
    public static let `default` = PushPolicy(branches: [], allowForcePush: true, allowDelete: true)

    static let maximumBranchGlobs = 100

    public init(branches: [String], allowForcePush: Bool, allowDelete: Bool) {
        self.branches = branches
        self.allowForcePush = allowForcePush
        self.allowDelete = allowDelete
    }

    /// The policy a request asked for (absent: the default), or an error naming the bad glob.
    init(wire: Netclode_V1_PushPolicy?, field: String) throws(ControlPlaneError) {
        guard let wire else {
            self = .default
            return
        }
        guard wire.branches.count <= Self.maximumBranchGlobs else {
            throw .invalidArgument("\(field).branches has \(wire.branches.count) entries; at most \(Self.maximumBranchGlobs) are allowed")
        }
        var branches: [String] = []
        for raw in wire.branches {
            var glob = raw.trimmingCharacters(in: .whitespaces)
            if glob.hasPrefix("refs/heads/") { glob.removeFirst("refs/heads/".count) }
            guard !glob.isEmpty, glob.count <= 255, !glob.contains(where: { $0.isWhitespace || $0.isNewline }),
                  !glob.hasPrefix("refs/"), !glob.contains("..")
            else {
                throw .invalidArgument("\(field).branches: \"\(raw)\" is not a branch name glob (e.g. \"netclode/*\"; no spaces, no \"..\", not a ref other than refs/heads/)")
            }
            if !branches.contains(glob) { branches.append(glob) }
        }
        self.init(branches: branches,
                  allowForcePush: wire.hasAllowForcePush ? wire.allowForcePush : Self.default.allowForcePush,
                  allowDelete: wire.hasAllowDelete ? wire.allowDelete : Self.default.allowDelete)
    }

    init(record: PushPolicyRecord?) {
        guard let record else {
            self = .default
            return
        }
        self.init(branches: record.branches, allowForcePush: record.allowForcePush, allowDelete: record.allowDelete)
    }

    /// Nil for the default policy, which is stored as the absence of one.
    var record: PushPolicyRecord? {
        self == .default ? nil : PushPolicyRecord(branches: branches, allowForcePush: allowForcePush, allowDelete: allowDelete)
    }

    var wire: Netclode_V1_PushPolicy {
        .with {
            $0.branches = branches
            $0.allowForcePush = allowForcePush
            $0.allowDelete = allowDelete
        }
    }

    /// One line for people: what may be pushed.
    var summary: String { wire.summary }

    // MARK: Checking a push

    /// Whether a ref update needs to know if it is a fast-forward before it can be judged.
    func needsAncestry(_ command: RefCommand, defaultBranch: String?) -> Bool {
        guard command.isUpdate else { return false }
        if let branch = Self.branchName(command.ref) {
            return branch == defaultBranch || !allowForcePush
        }
        return Self.tagName(command.ref) != nil && !allowForcePush
    }

    /// Whether the push touches a branch that might be the default one, so the proxy must know
    /// which one that is (deletes and updates; a create cannot harm it).
    static func needsDefaultBranch(_ command: RefCommand) -> Bool {
        !command.isCreate && branchName(command.ref) != nil
    }

    /// Why `command` is refused, or nil when the policy allows it.
    ///
    /// - Parameters:
    ///   - defaultBranch: the repository's default branch; nil when it could not be learnt, which
    ///     refuses anything that could harm it (fail closed).
    ///   - fastForward: for an update, whether the old id is an ancestor of the new one; nil when
    ///     not checked or not checkable, which refuses an update that needed the check.
    func refusal(of command: RefCommand, defaultBranch: String?, fastForward: Bool?) -> String? {
        if let tag = Self.tagName(command.ref) {
            if command.isDelete { return "tags may not be deleted (\(tag))" }
            if !branches.isEmpty { return "the push policy allows only branches matching \(branches.joined(separator: ", "))" }
            if command.isUpdate && !allowForcePush && fastForward != true { return "tags may not be moved (no force pushes)" }
            return nil
        }
        guard let branch = Self.branchName(command.ref) else {
            return "only branches and tags may be pushed"
        }
        if !branches.isEmpty && !branches.contains(where: { Self.glob($0, matches: branch) }) {
            return "the push policy allows only branches matching \(branches.joined(separator: ", "))"
        }
        if command.isCreate { return nil }
        guard let defaultBranch else { return "could not learn the repository's default branch, so this change is refused" }
        if command.isDelete {
            if branch == defaultBranch { return "the default branch (\(branch)) may not be deleted" }
            return allowDelete ? nil : "the push policy does not allow deleting branches"
        }
        guard needsAncestry(command, defaultBranch: defaultBranch) else { return nil }
        switch fastForward {
        case true?: return nil
        case false?:
            return branch == defaultBranch
                ? "non-fast-forward update of the default branch (\(branch)) is not allowed"
                : "the push policy does not allow force pushes (non-fast-forward update)"
        case nil:
            return "could not verify that this update is a fast-forward, so it is refused"
        }
    }

    static func branchName(_ ref: String) -> String? {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : nil
    }

    static func tagName(_ ref: String) -> String? {
        ref.hasPrefix("refs/tags/") ? String(ref.dropFirst("refs/tags/".count)) : nil
    }

    /// `*` matches any run of characters, `/` included (so `netclode/*` covers
    /// `netclode/fix/login`); everything else matches itself.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == name }
        guard name.hasPrefix(parts[0]), let last = parts.last, name.hasSuffix(last),
              name.count >= parts[0].count + last.count else { return false }
        var rest = Substring(name.dropFirst(parts[0].count).dropLast(last.count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let range = rest.range(of: middle) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
