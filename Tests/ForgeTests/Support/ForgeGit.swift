import Forge
import Foundation
import TestSupport

/// Real commits on the forge's repositories, made the way a client makes them: clone with a
/// token over HTTP, commit, push.
extension ForgeProcess {
    /// Commits `files` on `branch` (started from `base`) of `repo` and pushes it with a fresh
    /// `contents: write` token; returns the pushed commit.
    @discardableResult
    func pushCommit(_ repo: String, branch: String, base: String = "main", files: [String: String], message: String) async throws -> String {
        let owner = String(repo.split(separator: "/")[0])
        let name = String(repo.split(separator: "/")[1])
        let token = try await mint(owner: owner, body: #"{"repositories":["\#(name)"],"permissions":{"contents":"write"}}"#)
        return try await TemporaryDirectory.with(prefix: "forge-push") { directory in
            let work = directory.url.appendingPathComponent("work")
            try await Git.check(["clone", "--quiet", "--branch", base, authenticatedCloneURL(repo, token: token), work.path])
            return try await commitAndPush(in: work, branch: branch, files: files, message: message, to: "origin")
        }
    }

    /// Commits `files` on `branch` of a repository no installation covers (a fork), pushing
    /// straight into its bare repository on disk.
    @discardableResult
    func pushCommitToBare(_ repo: String, branch: String, base: String = "main", files: [String: String], message: String) async throws -> String {
        try await TemporaryDirectory.with(prefix: "forge-push") { directory in
            let work = directory.url.appendingPathComponent("work")
            try await Git.check(["clone", "--quiet", "--branch", base, bareRepositoryPath(repo), work.path])
            return try await commitAndPush(in: work, branch: branch, files: files, message: message, to: "origin")
        }
    }

    private func commitAndPush(in work: URL, branch: String, files: [String: String], message: String, to remote: String) async throws -> String {
        try await Git.check(["checkout", "--quiet", "-B", branch], in: work)
        for (path, contents) in files {
            let url = work.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        try await Git.check(["add", "--all"], in: work)
        try await Git.check(["commit", "--quiet", "--allow-empty", "-m", message], in: work)
        try await Git.check(["push", "--quiet", remote, "HEAD:refs/heads/\(branch)"], in: work)
        return try await Git.check(["rev-parse", "HEAD"], in: work).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The commit `ref` names in `repo`'s bare repository, or nil.
    func bareRef(_ repo: String, _ ref: String) async throws -> String? {
        let result = try await Git.run(["rev-parse", "--verify", "--quiet", ref], in: bareRepository(repo))
        return result.succeeded ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
