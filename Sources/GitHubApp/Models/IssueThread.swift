/// An issue or pull request as the bot reads it (`GET /repos/{o}/{r}/issues/{n}`): a pull request
/// is an issue with `pull_request` set.
public struct Issue: Decodable, Sendable, Hashable {
    public let number: Int
    public let title: String
    public let body: String?
    public let htmlURL: String
    public let isPullRequest: Bool

    enum CodingKeys: String, CodingKey {
        case number, title, body
        case htmlURL = "html_url"
        case pullRequest = "pull_request"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        number = try container.decode(Int.self, forKey: .number)
        title = try container.decode(String.self, forKey: .title)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        htmlURL = try container.decode(String.self, forKey: .htmlURL)
        isPullRequest = try container.contains(.pullRequest) && !container.decodeNil(forKey: .pullRequest)
    }
}

/// A comment the bot wrote (issue comment or review-comment reply): what it needs to edit it.
public struct IssueComment: Decodable, Sendable, Hashable {
    public let id: Int
    public let htmlURL: String
    public let body: String?

    enum CodingKeys: String, CodingKey {
        case id, body
        case htmlURL = "html_url"
    }
}

/// A pull request: its number and link, and where its head lives (a fork's head is never pushed to).
public struct PullRequest: Decodable, Sendable, Hashable {
    public struct Branch: Decodable, Sendable, Hashable {
        public let ref: String
        public let sha: String?
        /// nil when the head repository was deleted.
        public let repositoryFullName: String?

        enum CodingKeys: String, CodingKey { case ref, sha, repo }
        private struct Repo: Decodable { let full_name: String }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ref = try container.decode(String.self, forKey: .ref)
            sha = try container.decodeIfPresent(String.self, forKey: .sha)
            repositoryFullName = try container.decodeIfPresent(Repo.self, forKey: .repo)?.full_name
        }
    }

    public let number: Int
    public let htmlURL: String
    public let draft: Bool?
    public let head: Branch
    public let base: Branch

    enum CodingKeys: String, CodingKey {
        case number, draft, head, base
        case htmlURL = "html_url"
    }
}

/// A person's permission on a repository, as the collaborator-permission endpoint reports it
/// (`maintain` is reported as `write`, `triage` as `read`).
public enum CollaboratorPermission: String, Sendable, Hashable {
    case admin, write, read, none

    /// Whether the person may drive a write-capable agent on the repository.
    public var canWrite: Bool { self == .admin || self == .write }
}

/// The reactions GitHub accepts.
public enum Reaction: String, Sendable {
    case plusOne = "+1", minusOne = "-1", laugh, confused, heart, hooray, rocket, eyes
}

/// What a reaction is put on: the endpoints differ.
public enum ReactionTarget: Sendable, Hashable {
    case issue(number: Int)
    case issueComment(id: Int)
    case reviewComment(id: Int)

    func path(_ repository: RepositoryReference) -> String {
        let base = "/repos/\(repository.owner)/\(repository.name)"
        switch self {
        case .issue(let number): return "\(base)/issues/\(number)/reactions"
        case .issueComment(let id): return "\(base)/issues/comments/\(id)/reactions"
        case .reviewComment(let id): return "\(base)/pulls/comments/\(id)/reactions"
        }
    }
}
