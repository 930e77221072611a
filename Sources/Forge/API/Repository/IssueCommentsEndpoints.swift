import Foundation
import HTTPTypes
import Hummingbird

/// Issue comments (also a pull request's conversation): create, list, get, edit.
extension RepositoryAPI {
    func createIssueComment(_ request: RepositoryRequest, issueNumber segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.createIssueComment
        let issue = try await conversationIssue(request, number: segment, level: "write", documentationURL: docs)
        let text = try request.body(documentationURL: docs).requiredString("body")
        // GitHub's answer to an over-long new comment (2023–2025 recordings).
        try request.checkLength(text, error: APIResponse.validationError(
            resource: "IssueComment", code: "unprocessable", field: "data", message: "Body is too long (maximum is 65536 characters)"),
            documentationURL: docs)
        let comment: IssueCommentRecord
        do {
            comment = try await state.addIssueComment(repositoryID: request.repository.id, issueNumber: issue.number, body: text,
                                                      author: request.author)
        } catch {
            throw failure(error, documentationURL: docs)
        }
        await deliverIssueComment(comment, action: "created", previousBody: nil, request: request)
        let snapshot = await snapshot(request)
        return request.created(IssueCommentSchema.json(comment, repository: request.repository, in: snapshot),
                               location: "\(snapshot.apiURL(request.repository))/issues/comments/\(comment.id)")
    }

    func listIssueComments(_ request: RepositoryRequest, issueNumber segment: String) async throws(APIFailure) -> Response {
        let issue = try await conversationIssue(request, number: segment, level: "read", documentationURL: APIResponse.Docs.listIssueComments)
        let snapshot = await snapshot(request)
        return request.page(snapshot.activity.comments(repositoryID: request.repository.id, issueNumber: issue.number).map {
            IssueCommentSchema.json($0, repository: request.repository, in: snapshot)
        })
    }

    func getIssueComment(_ request: RepositoryRequest, id segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.getIssueComment
        let comment = try await issueComment(request, id: segment, level: "read", documentationURL: docs)
        return APIResponse.json(.ok, IssueCommentSchema.json(comment, repository: request.repository, in: await snapshot(request)))
    }

    func updateIssueComment(_ request: RepositoryRequest, id segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.updateIssueComment
        let existing = try await issueComment(request, id: segment, level: "write", documentationURL: docs)
        // A person edits their own comments; someone else's needs push access.
        if case .user = request.caller, existing.author != request.author {
            try request.require(Need([], role: .write, documentationURL: docs), metadata: await state.metadata)
        }
        let text = try request.body(documentationURL: docs).requiredString("body")
        // GitHub's answer to an over-long edit (2020–2024 recordings).
        try request.checkLength(text, error: APIResponse.validationError(
            resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)"),
            documentationURL: docs)
        let change: (before: IssueCommentRecord, after: IssueCommentRecord)
        do {
            change = try await state.editIssueComment(id: existing.id, repositoryID: request.repository.id, body: text)
        } catch {
            throw failure(error, documentationURL: docs)
        }
        if change.before.body != change.after.body {
            await deliverIssueComment(change.after, action: "edited", previousBody: change.before.body, request: request)
        }
        return APIResponse.json(.ok, IssueCommentSchema.json(change.after, repository: request.repository, in: await snapshot(request)))
    }

    /// The comment `segment` names in this repository, after checking the caller may `level`
    /// its issue's conversation; 404 when there is none.
    func issueComment(_ request: RepositoryRequest, id segment: String, level: String,
                      documentationURL docs: String) async throws(APIFailure) -> IssueCommentRecord {
        let id = try request.number(segment, documentationURL: docs)
        let snapshot = await snapshot(request)
        let comment = snapshot.activity.issueComment(id: id).flatMap { $0.repositoryID == request.repository.id ? $0 : nil }
        let onPullRequest = comment.flatMap { snapshot.activity.issue(repositoryID: $0.repositoryID, number: $0.issueNumber) }?.isPullRequest ?? false
        try request.require(.conversation(pullRequest: onPullRequest, level: level, documentationURL: docs), metadata: snapshot.metadata)
        guard let comment else { throw request.notFound(docs) }
        return comment
    }

    private func deliverIssueComment(_ comment: IssueCommentRecord, action: String, previousBody: String?, request: RepositoryRequest) async {
        let repository = request.repository
        let sender = request.author
        await deliver("issue_comment", action: action, request: request) { snapshot, installation in
            WebhookPayloadSchema.issueComment(action: action, comment: comment, previousBody: previousBody, repository: repository,
                                              sender: sender, installationID: installation, in: snapshot)
        }
    }
}
