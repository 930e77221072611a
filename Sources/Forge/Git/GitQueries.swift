import Foundation

/// What the REST API reads from (and the few ref changes it makes to) the bare repositories,
/// asked of the real git, so pull requests and comparisons see exactly what was pushed.
///
/// Refs from requests are user input: each is checked (`isPlausibleRef`) and passed after
/// `--end-of-options`, so a name cannot become an option.
enum GitQueries {
    /// A commit as the compare endpoint lists it.
    struct Commit: Sendable, Equatable {
        var sha: String
        var parents: [String]
        var tree: String
        var authorName: String
        var authorEmail: String
        var authorDate: String
        var committerName: String
        var committerEmail: String
        var committerDate: String
        var message: String
    }

    /// One changed file: `git diff --numstat` and `--name-status` together.
    struct FileChange: Sendable, Equatable {
        var path: String
        var status: String
        var additions: Int
        var deletions: Int
    }

    /// Rejects what no branch, tag or SHA looks like (git's own `check-ref-format` runs later).
    static func isPlausibleRef(_ ref: String) -> Bool {
        !ref.isEmpty && !ref.hasPrefix("-") && !ref.contains("..") && !ref.contains(where: { $0.isWhitespace || $0 == "\\" || $0 == "\0" })
    }

    /// The commit a branch (preferred), tag or SHA names, or `nil`.
    static func resolve(_ ref: String, in bare: URL) async -> String? {
        guard isPlausibleRef(ref) else { return nil }
        for candidate in ["refs/heads/\(ref)", "refs/tags/\(ref)", ref] {
            if let sha = await revParse(candidate, in: bare) { return sha }
        }
        return nil
    }

    /// The commit `refs/heads/BRANCH` points at, or `nil` when there is no such branch.
    static func branch(_ name: String, in bare: URL) async -> String? {
        guard isPlausibleRef(name) else { return nil }
        return await revParse("refs/heads/\(name)", in: bare)
    }

    private static func revParse(_ name: String, in bare: URL) async -> String? {
        guard let output = try? await GitRunner.run(["-C", bare.path, "rev-parse", "--verify", "--quiet", "--end-of-options", "\(name)^{commit}"]),
              output.exitCode == 0 else { return nil }
        let sha = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return sha.isEmpty ? nil : sha
    }

    /// `git merge-base A B`, or `nil` for unrelated histories.
    static func mergeBase(_ a: String, _ b: String, in bare: URL) async -> String? {
        guard let output = try? await GitRunner.run(["-C", bare.path, "merge-base", "--end-of-options", a, b]), output.exitCode == 0 else { return nil }
        return output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How many commits `head` has that `base` lacks (`git rev-list --count base..head`).
    static func count(from base: String, to head: String, in bare: URL) async throws -> Int {
        let output = try await GitRunner.check(["-C", bare.path, "rev-list", "--count", "\(base)..\(head)", "--"])
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The commits of `base..head`, oldest first, at most `limit`.
    static func commits(from base: String, to head: String, in bare: URL, limit: Int = 250) async throws -> [Commit] {
        try await log(["--reverse", "--max-count=\(limit)", "\(base)..\(head)"], in: bare)
    }

    /// One commit by SHA.
    static func commit(_ sha: String, in bare: URL) async throws -> Commit? {
        try await log(["--max-count=1", sha], in: bare).first
    }

    private static func log(_ arguments: [String], in bare: URL) async throws -> [Commit] {
        let format = ["%H", "%P", "%T", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"].joined(separator: "%x00") + "%x1e"
        let output = try await GitRunner.check(["-C", bare.path, "log", "--format=\(format)"] + arguments + ["--"])
        return output.split(separator: "\u{1e}").compactMap { record in
            let fields = record.drop { $0 == "\n" }.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 10 else { return nil }
            return Commit(sha: fields[0], parents: fields[1].split(separator: " ").map(String.init), tree: fields[2],
                          authorName: fields[3], authorEmail: fields[4], authorDate: utc(fields[5]),
                          committerName: fields[6], committerEmail: fields[7], committerDate: utc(fields[8]),
                          message: fields[9].trimmingCharacters(in: .newlines))
        }
    }

    /// The files `head` changed since `base`.
    static func changes(from base: String, to head: String, in bare: URL) async throws -> [FileChange] {
        let numstat = try await GitRunner.check(["-C", bare.path, "diff", "--numstat", "--no-renames", base, head, "--"])
        let names = try await GitRunner.check(["-C", bare.path, "diff", "--name-status", "--no-renames", base, head, "--"])
        var statuses: [String: String] = [:]
        for line in names.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0].prefix(1) {
            case "A": statuses[parts[1]] = "added"
            case "D": statuses[parts[1]] = "removed"
            default: statuses[parts[1]] = "modified"
            }
        }
        return numstat.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { return nil }
            return FileChange(path: parts[2], status: statuses[parts[2]] ?? "modified", additions: Int(parts[0]) ?? 0, deletions: Int(parts[1]) ?? 0)
        }
    }

    /// The first hunk of `path`'s diff between `base` and `head`: review comments quote it.
    static func diffHunk(path: String, from base: String, to head: String, in bare: URL) async -> String? {
        guard let output = try? await GitRunner.run(["-C", bare.path, "diff", "--unified=3", base, head, "--", path]),
              output.exitCode == 0, let start = output.standardOutput.range(of: "\n@@") else { return nil }
        let hunk = output.standardOutput[output.standardOutput.index(after: start.lowerBound)...]
        let lines = hunk.split(separator: "\n", omittingEmptySubsequences: false)
        let end = lines.dropFirst().firstIndex { $0.hasPrefix("@@") } ?? lines.endIndex
        return lines[..<end].prefix(20).joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    /// Copies `sourceRef` of another repository into `bare` as `localRef` (a fork's branch
    /// becoming `refs/pull/N/head`).
    static func fetch(_ sourceRef: String, from source: URL, into bare: URL, as localRef: String) async throws {
        try await GitRunner.check(["-C", bare.path, "fetch", "--quiet", "--no-tags", source.path, "+\(sourceRef):\(localRef)"])
    }

    static func updateRef(_ ref: String, to sha: String, in bare: URL) async throws {
        try await GitRunner.check(["-C", bare.path, "update-ref", ref, sha])
    }

    /// Deletes `ref`; false when it did not exist.
    static func deleteRef(_ ref: String, in bare: URL) async throws -> Bool {
        guard let exists = try? await GitRunner.run(["-C", bare.path, "show-ref", "--verify", "--quiet", ref]), exists.exitCode == 0 else {
            return false
        }
        try await GitRunner.check(["-C", bare.path, "update-ref", "-d", ref])
        return true
    }

    /// git's `%aI` keeps the committer's offset; GitHub shows UTC with `Z`.
    private static func utc(_ iso: String) -> String {
        guard let date = try? Date.ISO8601FormatStyle().parse(iso) else { return iso }
        return GitHubTime.string(from: date)
    }
}
