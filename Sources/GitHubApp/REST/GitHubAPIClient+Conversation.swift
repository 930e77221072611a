import Foundation
import NIOHTTP1

/// The calls the GitHub bot makes about a conversation (an issue or pull request): reading it,
/// commenting, reacting, checking who may ask for work, and opening the pull request.
///
/// Each takes the installation token to use: the bot mints one with only the permissions these
/// calls need (`issues`, `pull_requests`; `metadata` comes with every token) for one repository.
extension GitHubAPIClient {
    /// `GET /repos/{o}/{r}/issues/{n}` (pull requests are issues too).
    public func issue(_ number: Int, in repository: RepositoryReference, token: InstallationToken) async throws(GitHubError) -> Issue {
        let response = try await call(.GET, "\(Self.path(repository))/issues/\(number)", token: token)
        return try Self.expect(response, 200, repository, as: Issue.self)
    }

    /// `POST /repos/{o}/{r}/issues/{n}/comments`.
    public func createComment(on number: Int, in repository: RepositoryReference, body: String, token: InstallationToken) async throws(GitHubError) -> IssueComment {
        let response = try await call(.POST, "\(Self.path(repository))/issues/\(number)/comments", token: token, json: ["body": body])
        return try Self.expect(response, 201, repository, as: IssueComment.self)
    }

    /// `POST /repos/{o}/{r}/pulls/{n}/comments/{id}/replies`: an answer in a review thread.
    public func replyToReviewComment(_ id: Int, pullRequest number: Int, in repository: RepositoryReference, body: String, token: InstallationToken) async throws(GitHubError) -> IssueComment {
        let response = try await call(.POST, "\(Self.path(repository))/pulls/\(number)/comments/\(id)/replies", token: token, json: ["body": body])
        return try Self.expect(response, 201, repository, as: IssueComment.self)
    }

    /// `PATCH /repos/{o}/{r}/issues/comments/{id}` or, for a review-thread reply,
    /// `PATCH /repos/{o}/{r}/pulls/comments/{id}`.
    public func updateComment(_ id: Int, reviewThread: Bool = false, in repository: RepositoryReference, body: String, token: InstallationToken) async throws(GitHubError) -> IssueComment {
        let kind = reviewThread ? "pulls" : "issues"
        let response = try await call(.PATCH, "\(Self.path(repository))/\(kind)/comments/\(id)", token: token, json: ["body": body])
        return try Self.expect(response, 200, repository, as: IssueComment.self)
    }

    /// `POST .../reactions`: 201 when made, 200 when the App had already reacted so; both are success.
    public func react(_ reaction: Reaction, to target: ReactionTarget, in repository: RepositoryReference, token: InstallationToken) async throws(GitHubError) {
        let response = try await call(.POST, target.path(repository), token: token, json: ["content": reaction.rawValue])
        guard response.status == 200 || response.status == 201 else { throw Self.failure(response, repository) }
    }

    /// `GET /repos/{o}/{r}/collaborators/{user}/permission`. A 404 (not a collaborator, or no such
    /// user) is `none`: the caller refuses, never guessing from organisation membership.
    public func permission(of login: String, in repository: RepositoryReference, token: InstallationToken) async throws(GitHubError) -> CollaboratorPermission {
        let escaped = login.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "[]/"))) ?? login
        let response = try await call(.GET, "\(Self.path(repository))/collaborators/\(escaped)/permission", token: token)
        if response.status == 404 { return .none }
        struct Answer: Decodable { let permission: String }
        let answer = try Self.expect(response, 200, repository, as: Answer.self)
        guard let permission = CollaboratorPermission(rawValue: answer.permission) else {
            throw .unexpectedResponse(status: 200, message: "unknown collaborator permission \"\(answer.permission)\"")
        }
        return permission
    }

    /// `GET /repos/{o}/{r}/pulls/{n}`.
    public func pullRequest(_ number: Int, in repository: RepositoryReference, token: InstallationToken) async throws(GitHubError) -> PullRequest {
        let response = try await call(.GET, "\(Self.path(repository))/pulls/\(number)", token: token)
        return try Self.expect(response, 200, repository, as: PullRequest.self)
    }

    /// The open pull request whose head is `branch` of this repository, if any.
    public func openPullRequest(head branch: String, in repository: RepositoryReference, token: InstallationToken) async throws(GitHubError) -> PullRequest? {
        let head = "\(repository.owner):\(branch)".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? branch
        let response = try await call(.GET, "\(Self.path(repository))/pulls?state=open&head=\(head)", token: token)
        return try Self.expect(response, 200, repository, as: [PullRequest].self).first
    }

    /// What opening a pull request came to.
    public enum PullRequestOutcome: Sendable, Hashable {
        case created(PullRequest)
        /// GitHub's 422 "A pull request already exists": that one, found by its head.
        case existing(PullRequest)
    }

    /// `POST /repos/{o}/{r}/pulls` as a draft; GitHub's 422 for a duplicate is answered with the
    /// pull request that already exists.
    public func openDraftPullRequest(in repository: RepositoryReference, head: String, base: String, title: String, body: String, token: InstallationToken) async throws(GitHubError) -> PullRequestOutcome {
        let response = try await call(.POST, "\(Self.path(repository))/pulls", token: token,
                                      json: ["title": title, "head": head, "base": base, "body": body, "draft": true])
        if response.status == 422, response.body.range(of: Data("already exists".utf8)) != nil,
           let existing = try await openPullRequest(head: head, in: repository, token: token) {
            return .existing(existing)
        }
        return .created(try Self.expect(response, 201, repository, as: PullRequest.self))
    }

    /// `DELETE /repos/{o}/{r}/git/refs/heads/{branch}`; a branch that is already gone is fine.
    public func deleteBranch(_ branch: String, in repository: RepositoryReference, token: InstallationToken) async throws(GitHubError) {
        let escaped = branch.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? branch
        let response = try await call(.DELETE, "\(Self.path(repository))/git/refs/heads/\(escaped)", token: token)
        guard response.status == 204 || response.status == 422 || response.status == 404 else { throw Self.failure(response, repository) }
    }

    // MARK: Plumbing

    private static func path(_ repository: RepositoryReference) -> String {
        "/repos/\(repository.owner)/\(repository.name)"
    }

    private func call(_ method: HTTPMethod, _ path: String, token: InstallationToken, json: [String: any Sendable]? = nil) async throws(GitHubError) -> Response {
        var body: Data?
        if let json {
            do { body = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) } catch {
                throw .unexpectedResponse(status: 0, message: "could not encode the request body: \(error)")
            }
        }
        let payload = body
        return try await counted { () async throws(GitHubError) in
            try await send(method, path, credential: .installation(token: token.secret, issuedAt: token.issuedAt), body: payload)
        }
    }

    private static func expect<T: Decodable>(_ response: Response, _ status: Int, _ repository: RepositoryReference, as type: T.Type) throws(GitHubError) -> T {
        guard response.status == status else { throw failure(response, repository) }
        return try response.decode(type)
    }

    /// 404 names the repository; 403 is GitHub's "Resource not accessible by integration" (the
    /// token lacks a permission); anything else keeps GitHub's own words.
    private static func failure(_ response: Response, _ repository: RepositoryReference) -> GitHubError {
        switch response.status {
        case 404: .repositoryNotFound(repository)
        case 403 where response.errorMessage.localizedCaseInsensitiveContains("not accessible by integration"):
            .unexpectedResponse(status: 403, message: "Resource not accessible by integration (\(repository.fullName)): the App lacks a permission this call needs")
        default: unexpected(response)
        }
    }
}
