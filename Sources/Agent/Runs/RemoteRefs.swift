import Foundation

/// The remote-tracking branches of the session's clones, to tell what a run pushed.
///
/// git moves `refs/remotes/origin/<branch>` to the pushed commit after every successful push to
/// `origin`, so comparing a snapshot taken before a run with one taken after it lists the branches
/// the run pushed, and `git rev-list` counts their new commits — without a hook in the user's
/// repositories and whatever tool the agent pushed with. (A fetch moves these refs too; a run
/// that fetches reports the branches others moved as well.)
struct RemoteRefs: Sendable {
    /// owner/repo → branch → commit.
    private(set) var branches: [String: [String: String]] = [:]

    /// Reads the refs of every clone in `targets` that exists in `workspace`.
    static func snapshot(of targets: [CloneTarget], in workspace: URL, git: GitCommand) async -> RemoteRefs {
        var refs = RemoteRefs()
        for target in targets {
            let directory = workspace.appendingPathComponent(target.directory).path
            guard let output = try? await git.run(["for-each-ref", "--format=%(refname) %(objectname)", "refs/remotes/origin/"], in: directory),
                  output.exitCode == 0 else { continue }
            var branches: [String: String] = [:]
            for line in output.stdout.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else { continue }
                let branch = parts[0].dropFirst("refs/remotes/origin/".count)
                guard branch != "HEAD" else { continue }
                branches[String(branch)] = String(parts[1])
            }
            refs.branches[target.fullName] = branches
        }
        return refs
    }

    /// The branches that moved or appeared since `before`, with the commits each gained, in
    /// repository then branch order.
    func pushes(since before: RemoteRefs, targets: [CloneTarget], in workspace: URL, git: GitCommand) async -> [PushedBranch] {
        var pushes: [PushedBranch] = []
        for target in targets {
            let now = branches[target.fullName] ?? [:]
            let earlier = before.branches[target.fullName] ?? [:]
            let directory = workspace.appendingPathComponent(target.directory).path
            for (branch, commit) in now.sorted(by: { $0.key < $1.key }) where earlier[branch] != commit {
                let old = earlier[branch]
                // A new branch counts the commits that no branch of the remote had before.
                let range = old.map { ["\($0)..\(commit)"] } ?? [commit, "--not"] + earlier.values.sorted()
                let count = (try? await git.run(["rev-list", "--count"] + range, in: directory))
                    .flatMap { $0.exitCode == 0 ? Int($0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) : nil } ?? 0
                pushes.append(PushedBranch(repository: target.fullName, branch: branch, commits: count, created: old == nil))
            }
        }
        return pushes
    }
}

/// A branch a run pushed.
struct PushedBranch: Sendable, Equatable {
    var repository: String
    var branch: String
    var commits: Int
    var created: Bool
}
