import Foundation

/// GitHub's `commit-comparison` object for `GET …/compare/{base}...{head}`.
enum CompareSchema {
    struct Comparison: Sendable {
        var base: GitQueries.Commit?
        var mergeBase: GitQueries.Commit?
        var status: String
        var aheadBy: Int
        var behindBy: Int
        var commits: [GitQueries.Commit]
        var files: [GitQueries.FileChange]
        var basehead: String
    }

    static func json(_ comparison: Comparison, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        let api = snapshot.apiURL(repository)
        let web = snapshot.webURL(repository)
        return [
            "url": .string("\(api)/compare/\(comparison.basehead)"),
            "html_url": .string("\(web)/compare/\(comparison.basehead)"),
            "permalink_url": .string("\(web)/compare/\(comparison.basehead)"),
            "diff_url": .string("\(web)/compare/\(comparison.basehead).diff"),
            "patch_url": .string("\(web)/compare/\(comparison.basehead).patch"),
            "base_commit": comparison.base.map { commit($0, repository: repository, in: snapshot) } ?? nil,
            "merge_base_commit": comparison.mergeBase.map { commit($0, repository: repository, in: snapshot) } ?? nil,
            "status": .string(comparison.status),
            "ahead_by": .int(comparison.aheadBy),
            "behind_by": .int(comparison.behindBy),
            "total_commits": .int(comparison.aheadBy),
            "commits": .array(comparison.commits.map { commit($0, repository: repository, in: snapshot) }),
            "files": .array(comparison.files.map { file in
                [
                    "filename": .string(file.path),
                    "status": .string(file.status),
                    "additions": .int(file.additions),
                    "deletions": .int(file.deletions),
                    "changes": .int(file.additions + file.deletions),
                    "blob_url": .string("\(web)/blob/\(comparison.commits.last?.sha ?? "")/\(file.path)"),
                    "raw_url": .string("\(web)/raw/\(comparison.commits.last?.sha ?? "")/\(file.path)"),
                    "contents_url": .string("\(api)/contents/\(file.path)"),
                ]
            }),
        ]
    }

    /// GitHub's `commit` object; `author`/`committer` are accounts when the email is a forge
    /// account's noreply address (`ID+LOGIN@users.noreply.github.com`), as GitHub links them.
    static func commit(_ commit: GitQueries.Commit, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        let api = snapshot.apiURL(repository)
        return [
            "sha": .string(commit.sha),
            "node_id": .string("C_forge\(commit.sha)"),
            "commit": [
                "author": ["name": .string(commit.authorName), "email": .string(commit.authorEmail), "date": .string(commit.authorDate)],
                "committer": ["name": .string(commit.committerName), "email": .string(commit.committerEmail), "date": .string(commit.committerDate)],
                "message": .string(commit.message),
                "tree": ["sha": .string(commit.tree), "url": .string("\(api)/git/trees/\(commit.tree)")],
                "url": .string("\(api)/git/commits/\(commit.sha)"),
                "comment_count": 0,
            ],
            "url": .string("\(api)/commits/\(commit.sha)"),
            "html_url": .string("\(snapshot.webURL(repository))/commit/\(commit.sha)"),
            "comments_url": .string("\(api)/commits/\(commit.sha)/comments"),
            "author": account(email: commit.authorEmail, in: snapshot),
            "committer": account(email: commit.committerEmail, in: snapshot),
            "parents": .array(commit.parents.map { parent in
                ["sha": .string(parent), "url": .string("\(api)/commits/\(parent)"), "html_url": .string("\(snapshot.webURL(repository))/commit/\(parent)")]
            }),
        ]
    }

    private static func account(email: String, in snapshot: ForgeSnapshot) -> JSONValue {
        let suffix = "@users.noreply.github.com"
        guard email.lowercased().hasSuffix(suffix) else { return nil }
        let local = email.dropLast(suffix.count)
        let login = local.split(separator: "+", maxSplits: 1).last.map(String.init) ?? String(local)
        if login.caseInsensitiveCompare(snapshot.metadata.app.botLogin) == .orderedSame { return snapshot.account(.app) }
        guard snapshot.metadata.account(login: login) != nil else { return nil }
        return snapshot.account(.user(login: login))
    }
}
