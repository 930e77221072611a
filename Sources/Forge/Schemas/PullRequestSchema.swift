import Foundation

/// GitHub's `pull-request` object (`pull_request` webhooks and the pulls endpoints).
enum PullRequestSchema {
    /// What git says about a pull request right now.
    struct Facts: Sendable {
        var headSHA: String
        var baseSHA: String
        /// Counts of the full object; `nil` for list entries (GitHub's `pull-request-simple`).
        var stats: Stats?
    }

    struct Stats: Sendable {
        var commits: Int
        var additions: Int
        var deletions: Int
        var changedFiles: Int
    }

    static func json(_ pull: PullRequestRecord, repository: RepositoryRecord, facts: Facts, in snapshot: ForgeSnapshot) -> JSONValue {
        guard let issue = snapshot.activity.issue(repositoryID: repository.id, number: pull.number) else { return .null }
        let api = "\(snapshot.apiURL(repository))/pulls/\(pull.number)"
        let web = "\(snapshot.webURL(repository))/pull/\(pull.number)"
        let issueAPI = "\(snapshot.apiURL(repository))/issues/\(pull.number)"
        let statuses = "\(snapshot.apiURL(repository))/statuses/\(facts.headSHA)"
        let headRepository = snapshot.metadata.repository(id: pull.headRepositoryID) ?? repository
        var fields: [(String, JSONValue)] = [
            ("url", .string(api)),
            ("id", .int(pull.id)),
            ("node_id", NodeID.make("PullRequest", pull.id)),
            ("html_url", .string(web)),
            ("diff_url", .string("\(web).diff")),
            ("patch_url", .string("\(web).patch")),
            ("issue_url", .string(issueAPI)),
            ("number", .int(pull.number)),
            ("state", .string(issue.state)),
            ("locked", false),
            ("title", .string(issue.title)),
            ("user", snapshot.account(issue.author)),
            ("body", .optional(issue.body)),
            ("created_at", .string(issue.createdAt)),
            ("updated_at", .string(issue.updatedAt)),
            ("closed_at", nil),
            ("merged_at", nil),
            ("merge_commit_sha", nil),
            ("assignee", nil),
            ("assignees", []),
            ("requested_reviewers", []),
            ("requested_teams", []),
            ("labels", []),
            ("milestone", nil),
            ("draft", .bool(pull.draft)),
            ("commits_url", .string("\(api)/commits")),
            ("review_comments_url", .string("\(api)/comments")),
            ("review_comment_url", .string("\(snapshot.apiURL(repository))/pulls/comments{/number}")),
            ("comments_url", .string("\(issueAPI)/comments")),
            ("statuses_url", .string(statuses)),
            ("head", branch(pull.headRef, sha: facts.headSHA, repository: headRepository, in: snapshot)),
            ("base", branch(pull.baseRef, sha: facts.baseSHA, repository: repository, in: snapshot)),
            ("_links", [
                "self": ["href": .string(api)],
                "html": ["href": .string(web)],
                "issue": ["href": .string(issueAPI)],
                "comments": ["href": .string("\(issueAPI)/comments")],
                "review_comments": ["href": .string("\(api)/comments")],
                "review_comment": ["href": .string("\(snapshot.apiURL(repository))/pulls/comments{/number}")],
                "commits": ["href": .string("\(api)/commits")],
                "statuses": ["href": .string(statuses)],
            ]),
            ("author_association", .string(snapshot.authorAssociation(issue.author, on: repository))),
            ("auto_merge", nil),
            ("active_lock_reason", nil),
        ]
        if let stats = facts.stats {
            fields += [
                ("merged", false),
                ("mergeable", nil),
                ("rebaseable", nil),
                ("mergeable_state", "unknown"),
                ("merged_by", nil),
                ("comments", .int(snapshot.activity.comments(repositoryID: repository.id, issueNumber: pull.number).count)),
                ("review_comments", .int(snapshot.activity.reviewComments(repositoryID: repository.id, pullNumber: pull.number).count)),
                ("maintainer_can_modify", .bool(pull.maintainerCanModify)),
                ("commits", .int(stats.commits)),
                ("additions", .int(stats.additions)),
                ("deletions", .int(stats.deletions)),
                ("changed_files", .int(stats.changedFiles)),
            ]
        }
        return .object(fields)
    }

    /// `head` / `base`: `{label, ref, sha, user, repo}`; a fork's head names the fork's owner.
    private static func branch(_ ref: String, sha: String, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        [
            "label": .string("\(repository.owner):\(ref)"),
            "ref": .string(ref),
            "sha": .string(sha),
            "user": snapshot.account(.user(login: repository.owner)),
            "repo": snapshot.repository(repository),
        ]
    }
}
