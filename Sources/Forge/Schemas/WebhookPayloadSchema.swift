import Foundation

/// The bodies of the App's webhook deliveries, shaped like GitHub's (the fixtures in
/// `shared/reference/github-webhooks/`): `action`, the subject, `repository`, `sender` and
/// `installation: {id, node_id}`.
enum WebhookPayloadSchema {
    /// The `installation` stub every App delivery carries.
    static func installation(_ id: Int) -> JSONValue {
        ["id": .int(id), "node_id": NodeID.make("IntegrationInstallation", id)]
    }

    /// `issues` (`opened`).
    static func issues(action: String, issue: IssueRecord, repository: RepositoryRecord, sender: Author, installationID: Int,
                       in snapshot: ForgeSnapshot) -> JSONValue {
        [
            "action": .string(action),
            "issue": IssueSchema.json(issue, repository: repository, in: snapshot),
            "repository": snapshot.repository(repository),
            "sender": snapshot.account(sender),
            "installation": installation(installationID),
        ]
    }

    /// `issue_comment` (`created`, or `edited` with `changes.body.from`).
    static func issueComment(action: String, comment: IssueCommentRecord, previousBody: String? = nil, repository: RepositoryRecord,
                             sender: Author, installationID: Int, in snapshot: ForgeSnapshot) -> JSONValue {
        var fields: [(String, JSONValue)] = [("action", .string(action))]
        if let previousBody { fields.append(("changes", ["body": ["from": .string(previousBody)]])) }
        if let issue = snapshot.activity.issue(repositoryID: repository.id, number: comment.issueNumber) {
            fields.append(("issue", IssueSchema.json(issue, repository: repository, in: snapshot)))
        }
        fields += [
            ("comment", IssueCommentSchema.json(comment, repository: repository, in: snapshot)),
            ("repository", snapshot.repository(repository)),
            ("sender", snapshot.account(sender)),
            ("installation", installation(installationID)),
        ]
        return .object(fields)
    }

    /// `pull_request_review_comment` (`created`).
    static func reviewComment(action: String, comment: ReviewCommentRecord, pull: PullRequestRecord, facts: PullRequestSchema.Facts,
                              repository: RepositoryRecord, sender: Author, installationID: Int, in snapshot: ForgeSnapshot) -> JSONValue {
        [
            "action": .string(action),
            "comment": ReviewCommentSchema.json(comment, repository: repository, in: snapshot),
            "pull_request": PullRequestSchema.json(pull, repository: repository, facts: facts, in: snapshot),
            "repository": snapshot.repository(repository),
            "sender": snapshot.account(sender),
            "installation": installation(installationID),
        ]
    }

    /// `pull_request` (`opened`).
    static func pullRequest(action: String, pull: PullRequestRecord, facts: PullRequestSchema.Facts, repository: RepositoryRecord,
                            sender: Author, installationID: Int, in snapshot: ForgeSnapshot) -> JSONValue {
        [
            "action": .string(action),
            "number": .int(pull.number),
            "pull_request": PullRequestSchema.json(pull, repository: repository, facts: facts, in: snapshot),
            "repository": snapshot.repository(repository),
            "sender": snapshot.account(sender),
            "installation": installation(installationID),
        ]
    }

    /// `installation_repositories` (`added` / `removed`), sent by the installation's account.
    static func installationRepositories(action: String, installation record: InstallationRecord, added: [RepositoryRecord],
                                         removed: [RepositoryRecord], in snapshot: ForgeSnapshot) -> JSONValue {
        func brief(_ repository: RepositoryRecord) -> JSONValue {
            [
                "id": .int(repository.id),
                "node_id": NodeID.make("Repository", repository.id),
                "name": .string(repository.name),
                "full_name": .string(repository.fullName),
                "private": true,
            ]
        }
        let account = snapshot.metadata.account(login: record.accountLogin)
        return [
            "action": .string(action),
            "installation": account.map { InstallationSchema.json(record, account: $0, app: snapshot.metadata.app, urls: snapshot.urls) } ?? installation(record.id),
            "repository_selection": "selected",
            "repositories_added": .array(added.map(brief)),
            "repositories_removed": .array(removed.map(brief)),
            "requester": nil,
            "sender": snapshot.account(.user(login: record.accountLogin)),
        ]
    }

    /// `ping`, sent when the hook is (re)configured, with `hook.app_id` as an App's hook has it.
    static func ping(hookID: Int, url: String, in snapshot: ForgeSnapshot) -> JSONValue {
        let app = snapshot.metadata.app
        return [
            "zen": "Design for failure.",
            "hook_id": .int(hookID),
            "hook": [
                "type": "App",
                "id": .int(hookID),
                "name": "web",
                "active": true,
                "events": .array(AppSchema.events.map(JSONValue.string)),
                "config": ["content_type": "json", "insecure_ssl": "0", "url": .string(url)],
                "updated_at": .string(app.createdAt),
                "created_at": .string(app.createdAt),
                "app_id": .int(app.id),
                "deliveries_url": .string("\(snapshot.urls.api)/app/hook/deliveries"),
                "last_response": ["code": nil, "status": "unused", "message": nil],
            ],
        ]
    }
}
