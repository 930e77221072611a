import Foundation

/// GitHub's `issue` object, for issues and for the issue half of pull requests (then with
/// `pull_request` set, which is how a bot tells a PR conversation from an issue's).
enum IssueSchema {
    static func json(_ issue: IssueRecord, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        let api = "\(snapshot.apiURL(repository))/issues/\(issue.number)"
        var fields: [(String, JSONValue)] = [
            ("url", .string(api)),
            ("repository_url", .string(snapshot.apiURL(repository))),
            ("labels_url", .string("\(api)/labels{/name}")),
            ("comments_url", .string("\(api)/comments")),
            ("events_url", .string("\(api)/events")),
            ("html_url", .string(htmlURL(issue, repository: repository, in: snapshot))),
            ("id", .int(issue.id)),
            ("node_id", NodeID.make(issue.isPullRequest ? "PullRequest" : "Issue", issue.id)),
            ("number", .int(issue.number)),
            ("title", .string(issue.title)),
            ("user", snapshot.account(issue.author)),
            ("labels", []),
            ("state", .string(issue.state)),
            ("locked", false),
            ("assignee", nil),
            ("assignees", []),
            ("milestone", nil),
            ("comments", .int(snapshot.activity.comments(repositoryID: repository.id, issueNumber: issue.number).count)),
            ("created_at", .string(issue.createdAt)),
            ("updated_at", .string(issue.updatedAt)),
            ("closed_at", nil),
            ("author_association", .string(snapshot.authorAssociation(issue.author, on: repository))),
            ("active_lock_reason", nil),
            ("body", .optional(issue.body)),
            ("reactions", snapshot.reactionRollup(.issue(repositoryID: repository.id, number: issue.number), url: "\(api)/reactions")),
            ("timeline_url", .string("\(api)/timeline")),
            ("performed_via_github_app", snapshot.performedViaApp(issue.author)),
            ("state_reason", nil),
        ]
        let pull = issue.isPullRequest ? snapshot.activity.pullRequest(repositoryID: repository.id, number: issue.number) : nil
        // GitHub's example payloads carry `draft` on plain issues too (false).
        fields.append(("draft", .bool(pull?.draft ?? false)))
        if let pull {
            let web = "\(snapshot.webURL(repository))/pull/\(pull.number)"
            fields.append(("pull_request", [
                "url": .string("\(snapshot.apiURL(repository))/pulls/\(issue.number)"),
                "html_url": .string(web),
                "diff_url": .string("\(web).diff"),
                "patch_url": .string("\(web).patch"),
                "merged_at": nil,
            ]))
        }
        return .object(fields)
    }

    /// `/OWNER/NAME/issues/N`, or `/pull/N` for a pull request's issue.
    static func htmlURL(_ issue: IssueRecord, repository: RepositoryRecord, in snapshot: ForgeSnapshot) -> String {
        "\(snapshot.webURL(repository))/\(issue.isPullRequest ? "pull" : "issues")/\(issue.number)"
    }
}
