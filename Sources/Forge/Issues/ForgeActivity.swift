import Foundation

/// Everything people and the App did on the forge's repositories: issues, pull requests,
/// comments, reactions. Kept in `DIR/activity.json` (rewritten atomically on each change), so a
/// seeded issue and the conversation so far survive a restart of `netclode dev`.
struct ForgeActivity: Codable, Sendable, Equatable {
    var issues: [IssueRecord] = []
    var pullRequests: [PullRequestRecord] = []
    var issueComments: [IssueCommentRecord] = []
    var reviewComments: [ReviewCommentRecord] = []
    var reactions: [ReactionRecord] = []
    var lastIDs = IDSequences()

    /// The last id handed out per kind. Each kind has a range of its own (issue comments from
    /// 1_000_000_001, review comments from 2_000_000_001, ...), so an id used with the wrong
    /// endpoint finds nothing instead of something else, as on GitHub.
    struct IDSequences: Codable, Sendable, Equatable {
        var issueComment = 1_000_000_000
        var reviewComment = 2_000_000_000
        var issue = 3_000_000_000
        var pullRequest = 4_000_000_000
        var reaction = 5_000_000_000
        var review = 6_000_000_000

        mutating func next(_ kind: WritableKeyPath<IDSequences, Int>) -> Int {
            self[keyPath: kind] += 1
            return self[keyPath: kind]
        }
    }

    static func load(from layout: ForgeLayout) throws -> ForgeActivity {
        guard FileManager.default.fileExists(atPath: layout.activityFile.path) else { return ForgeActivity() }
        do {
            return try JSONDecoder().decode(ForgeActivity.self, from: Data(contentsOf: layout.activityFile))
        } catch {
            throw ForgeError.corruptMetadata(layout.activityFile.path, "\(error)")
        }
    }

    func save(to layout: ForgeLayout) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: layout.activityFile, options: .atomic)
    }

    // MARK: Lookups

    func issue(repositoryID: Int, number: Int) -> IssueRecord? {
        issues.first { $0.repositoryID == repositoryID && $0.number == number }
    }

    func pullRequest(repositoryID: Int, number: Int) -> PullRequestRecord? {
        pullRequests.first { $0.repositoryID == repositoryID && $0.number == number }
    }

    /// The open pull request with this head and base, if any (GitHub allows one).
    func openPullRequest(repositoryID: Int, headRepositoryID: Int, headRef: String, baseRef: String) -> PullRequestRecord? {
        pullRequests.first { pull in
            pull.repositoryID == repositoryID && pull.headRepositoryID == headRepositoryID && pull.headRef == headRef
                && pull.baseRef == baseRef && issue(repositoryID: repositoryID, number: pull.number)?.state == "open"
        }
    }

    func issueComment(id: Int) -> IssueCommentRecord? {
        issueComments.first { $0.id == id }
    }

    func reviewComment(id: Int) -> ReviewCommentRecord? {
        reviewComments.first { $0.id == id }
    }

    func comments(repositoryID: Int, issueNumber: Int) -> [IssueCommentRecord] {
        issueComments.filter { $0.repositoryID == repositoryID && $0.issueNumber == issueNumber }
    }

    func reviewComments(repositoryID: Int, pullNumber: Int) -> [ReviewCommentRecord] {
        reviewComments.filter { $0.repositoryID == repositoryID && $0.pullNumber == pullNumber }
    }

    func reactions(to subject: ReactionRecord.Subject) -> [ReactionRecord] {
        reactions.filter { $0.subject == subject }
    }

    /// The number the next issue or pull request of a repository gets.
    func nextNumber(repositoryID: Int) -> Int {
        (issues.filter { $0.repositoryID == repositoryID }.map(\.number).max() ?? 0) + 1
    }
}
