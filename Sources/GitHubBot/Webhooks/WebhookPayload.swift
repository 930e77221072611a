/// The fields of GitHub's webhook payloads the bot reads (`issue_comment`, `issues`,
/// `pull_request_review_comment`, `ping`, `installation`, `installation_repositories`). Every
/// field is optional: a payload missing one the event needs is refused by ``Trigger``, not here.
struct WebhookPayload: Decodable, Sendable {
    struct User: Decodable, Sendable {
        let login: String
        let type: String?
    }

    struct App: Decodable, Sendable {
        let id: Int?
        let slug: String?
    }

    struct Installation: Decodable, Sendable {
        let id: Int
        let account: User?
    }

    struct Repository: Decodable, Sendable {
        let fullName: String
        let defaultBranch: String?
        enum CodingKeys: String, CodingKey {
            case fullName = "full_name"
            case defaultBranch = "default_branch"
        }
    }

    struct PullRequestLink: Decodable, Sendable {
        let url: String?
    }

    struct Issue: Decodable, Sendable {
        let number: Int
        let title: String
        let body: String?
        let htmlURL: String
        let pullRequest: PullRequestLink?
        let user: User?
        enum CodingKeys: String, CodingKey {
            case number, title, body, user
            case htmlURL = "html_url"
            case pullRequest = "pull_request"
        }
    }

    struct Comment: Decodable, Sendable {
        let id: Int
        let body: String?
        let htmlURL: String?
        let user: User?
        let performedViaGitHubApp: App?
        /// Review comments: the thread's first comment, when this one is a reply.
        let inReplyToID: Int?
        enum CodingKeys: String, CodingKey {
            case id, body, user
            case htmlURL = "html_url"
            case performedViaGitHubApp = "performed_via_github_app"
            case inReplyToID = "in_reply_to_id"
        }
    }

    struct Branch: Decodable, Sendable {
        let ref: String
        let repo: Repository?
    }

    struct PullRequest: Decodable, Sendable {
        let number: Int
        let title: String
        let body: String?
        let htmlURL: String
        let head: Branch
        let base: Branch
        enum CodingKeys: String, CodingKey {
            case number, title, body, head, base
            case htmlURL = "html_url"
        }
    }

    let action: String?
    let installation: Installation?
    let repository: Repository?
    let sender: User?
    let issue: Issue?
    let comment: Comment?
    let pullRequest: PullRequest?
    /// `installation_repositories`: the repositories added and removed.
    let repositoriesAdded: [Repository]?
    let repositoriesRemoved: [Repository]?

    enum CodingKeys: String, CodingKey {
        case action, installation, repository, sender, issue, comment
        case pullRequest = "pull_request"
        case repositoriesAdded = "repositories_added"
        case repositoriesRemoved = "repositories_removed"
    }
}
