import GitHubApp

/// A request for work: who asked, where, and what to answer.
public struct Trigger: Sendable, Equatable {
    /// The comment (or issue) that asked, and so what the 👀 goes on and where the answer goes.
    public enum Source: Sendable, Equatable {
        case issueComment(id: Int)
        /// `threadID`: the thread's first comment, which replies attach to.
        case reviewComment(id: Int, threadID: Int)
        case issueBody
    }

    public let repository: RepositoryReference
    public let installationID: Int
    /// The issue or pull request number.
    public let number: Int
    public let isPullRequest: Bool
    public let title: String
    public let body: String
    public let url: String
    public let sender: String
    public let source: Source
    /// What the person asked, the mention taken out.
    public let request: String

    /// Deliveries carrying the same request (several hooks, a retried send) share this key.
    public var key: String {
        switch source {
        case .issueComment(let id): "\(repository.key):issue_comment:\(id)"
        case .reviewComment(let id, _): "\(repository.key):review_comment:\(id)"
        case .issueBody: "\(repository.key):issue:\(number)"
        }
    }

    /// `owner/repo#number`, lower case: runs of one conversation go one at a time.
    public var conversation: String { "\(repository.key)#\(number)" }

    public var reactionTarget: ReactionTarget {
        switch source {
        case .issueComment(let id): .issueComment(id: id)
        case .reviewComment(let id, _): .reviewComment(id: id)
        case .issueBody: .issue(number: number)
        }
    }
}

/// What a delivery asks of the bot.
enum WebhookIntent: Sendable, Equatable {
    case run(Trigger)
    /// `installation` / `installation_repositories`: these owners' installations changed.
    case installationChanged(owners: [String])
    /// Not for the bot; the reason, for the log and the delivery's record.
    case ignore(String)
}

extension WebhookIntent {
    /// Reads `event` and its payload. A trigger needs a `created` comment (or an `opened` issue)
    /// from a person, mentioning the bot outside code and quotes.
    static func of(event: String, payload: WebhookPayload, mention: Mention) -> WebhookIntent {
        switch event {
        case "ping":
            return .ignore("ping")
        case "installation", "installation_repositories":
            var owners = [payload.installation?.account?.login].compactMap { $0 }
            owners += (payload.repositoriesAdded ?? []).compactMap { $0.fullName.split(separator: "/").first.map(String.init) }
            return .installationChanged(owners: Array(Set(owners.map { $0.lowercased() })).sorted())
        case "issue_comment", "pull_request_review_comment", "issues":
            return trigger(event: event, payload: payload, mention: mention)
        default:
            return .ignore("event \(event) is not one the bot acts on")
        }
    }

    private static func trigger(event: String, payload: WebhookPayload, mention: Mention) -> WebhookIntent {
        let expected = event == "issues" ? "opened" : "created"
        guard payload.action == expected else {
            return .ignore("\(event).\(payload.action ?? "?"): only \(event).\(expected) can ask for work (edits never do)")
        }
        guard let repositoryName = payload.repository?.fullName, let repository = try? RepositoryReference.parse(repositoryName) else {
            return .ignore("\(event) without a repository")
        }
        guard let installation = payload.installation?.id else {
            return .ignore("\(event) without an installation: the App is not installed on \(repositoryName)")
        }
        let author: WebhookPayload.User?
        let text: String
        let number: Int, title: String, body: String, url: String, isPullRequest: Bool
        let source: Trigger.Source
        if event == "pull_request_review_comment" {
            guard let comment = payload.comment, let pull = payload.pullRequest else { return .ignore("review comment without its pull request") }
            if comment.performedViaGitHubApp != nil { return .ignore("comment made through a GitHub App") }
            author = comment.user
            text = comment.body ?? ""
            (number, title, body, url, isPullRequest) = (pull.number, pull.title, pull.body ?? "", pull.htmlURL, true)
            source = .reviewComment(id: comment.id, threadID: comment.inReplyToID ?? comment.id)
        } else {
            guard let issue = payload.issue else { return .ignore("\(event) without its issue") }
            (number, title, body, url, isPullRequest) = (issue.number, issue.title, issue.body ?? "", issue.htmlURL, issue.pullRequest != nil)
            if event == "issue_comment" {
                guard let comment = payload.comment else { return .ignore("issue_comment without its comment") }
                if comment.performedViaGitHubApp != nil { return .ignore("comment made through a GitHub App") }
                author = comment.user
                text = comment.body ?? ""
                source = .issueComment(id: comment.id)
            } else {
                author = issue.user
                text = issue.body ?? ""
                source = .issueBody
            }
        }
        for user in [payload.sender, author].compactMap({ $0 }) where Self.isBot(user, mention: mention) {
            return .ignore("\(user.login) is a bot; bots never ask for work")
        }
        guard let sender = payload.sender?.login ?? author?.login else { return .ignore("\(event) without a sender") }
        guard mention.isMentioned(in: text) else { return .ignore("no @\(mention.handle) mention outside code and quotes") }
        return .run(Trigger(
            repository: repository, installationID: installation, number: number, isPullRequest: isPullRequest,
            title: title, body: body, url: url, sender: sender, source: source, request: mention.request(from: text)))
    }

    /// `type: Bot`, a `[bot]` login, or the bot's own handle.
    static func isBot(_ user: WebhookPayload.User, mention: Mention) -> Bool {
        let login = user.login.lowercased()
        return user.type == "Bot" || login.hasSuffix("[bot]") || login == mention.handle.lowercased()
    }
}
