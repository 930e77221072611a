import Foundation
import HTTPTypes
import Hummingbird

/// Review comments on a pull request's diff: create (a new thread, or with `in_reply_to` a
/// reply), reply to a thread, get, list. Their ids are not issue comment ids.
extension RepositoryAPI {
    func createReviewComment(_ request: RepositoryRequest, pullNumber segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.createReviewComment
        let pull = try await pullRequest(request, number: segment, level: "write", documentationURL: docs)
        let body = try request.body(documentationURL: docs)
        let text = try body.requiredString("body")
        if let parent = try body.int("in_reply_to") {
            return try await reply(request, pull: pull, parentID: parent, text: text, documentationURL: docs)
        }
        let path = try body.requiredString("path")
        let line = try body.int("line")
        let side = try body.string("side") ?? "RIGHT"
        try checkReviewLength(request, text, documentationURL: docs)
        func unresolvable(_ field: String) -> APIFailure {
            APIFailure(APIResponse.validationFailed([APIResponse.validationError(
                resource: "PullRequestReviewComment", code: "custom", field: field, message: "\(field) could not be resolved")],
                documentationURL: docs))
        }
        let facts = await facts(pull, repository: request.repository, withStats: false)
        var commitID = facts.headSHA
        if let requested = try body.string("commit_id") {
            guard let sha = await GitQueries.resolve(requested, in: request.bare) else { throw unresolvable("commit_id") }
            commitID = sha
        }
        let mergeBase = await GitQueries.mergeBase(facts.baseSHA, commitID, in: request.bare) ?? facts.baseSHA
        guard let hunk = await GitQueries.diffHunk(path: path, from: mergeBase, to: commitID, in: request.bare) else {
            throw unresolvable("pull_request_review_thread.path")
        }
        let draft = ReviewCommentRecord(id: 0, repositoryID: request.repository.id, pullNumber: pull.number, reviewID: 0, inReplyTo: nil,
                                        body: text, path: path, line: line, side: side, commitID: commitID, diffHunk: hunk,
                                        author: request.author, createdAt: "", updatedAt: "")
        return try await store(draft, request: request, pull: pull, documentationURL: docs)
    }

    func replyToReviewComment(_ request: RepositoryRequest, pullNumber segment: String, id: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.createReviewReply
        let pull = try await pullRequest(request, number: segment, level: "write", documentationURL: docs)
        let parentID = try request.number(id, documentationURL: docs)
        let text = try request.body(documentationURL: docs).requiredString("body")
        return try await reply(request, pull: pull, parentID: parentID, text: text, documentationURL: docs)
    }

    func getReviewComment(_ request: RepositoryRequest, id segment: String) async throws(APIFailure) -> Response {
        let comment = try await reviewComment(request, id: segment, level: "read", documentationURL: APIResponse.Docs.getReviewComment)
        return APIResponse.json(.ok, ReviewCommentSchema.json(comment, repository: request.repository, in: await snapshot(request)))
    }

    func listReviewComments(_ request: RepositoryRequest, pullNumber segment: String) async throws(APIFailure) -> Response {
        let pull = try await pullRequest(request, number: segment, level: "read", documentationURL: APIResponse.Docs.listReviewComments)
        let snapshot = await snapshot(request)
        return request.page(snapshot.activity.reviewComments(repositoryID: request.repository.id, pullNumber: pull.number).map {
            ReviewCommentSchema.json($0, repository: request.repository, in: snapshot)
        })
    }

    /// The review comment `segment` names in this repository, after checking `pull_requests`
    /// at `level`; 404 when there is none.
    func reviewComment(_ request: RepositoryRequest, id segment: String, level: String,
                       documentationURL docs: String) async throws(APIFailure) -> ReviewCommentRecord {
        let id = try request.number(segment, documentationURL: docs)
        try request.require(Need([("pull_requests", level)], documentationURL: docs), metadata: await state.metadata)
        guard let comment = await state.activity.reviewComment(id: id), comment.repositoryID == request.repository.id else {
            throw request.notFound(docs)
        }
        return comment
    }

    /// A reply joins the thread of a top-level review comment of this pull request (404 for
    /// anything else, a reply included) and takes its place in the diff.
    private func reply(_ request: RepositoryRequest, pull: PullRequestRecord, parentID: Int, text: String,
                       documentationURL docs: String) async throws(APIFailure) -> Response {
        guard let parent = await state.activity.reviewComment(id: parentID), parent.repositoryID == request.repository.id,
              parent.pullNumber == pull.number, parent.inReplyTo == nil else {
            throw request.notFound(docs)
        }
        try checkReviewLength(request, text, documentationURL: docs)
        var draft = parent
        draft.inReplyTo = parent.id
        draft.body = text
        draft.author = request.author
        return try await store(draft, request: request, pull: pull, documentationURL: docs)
    }

    private func checkReviewLength(_ request: RepositoryRequest, _ text: String, documentationURL docs: String) throws(APIFailure) {
        try request.checkLength(text, error: APIResponse.validationError(
            resource: "PullRequestReviewComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)"),
            documentationURL: docs)
    }

    private func store(_ draft: ReviewCommentRecord, request: RepositoryRequest, pull: PullRequestRecord,
                       documentationURL docs: String) async throws(APIFailure) -> Response {
        let comment: ReviewCommentRecord
        do {
            comment = try await state.addReviewComment(draft)
        } catch {
            throw failure(error, documentationURL: docs)
        }
        let repository = request.repository
        let sender = request.author
        let facts = await facts(pull, repository: repository, withStats: true)
        await deliver("pull_request_review_comment", action: "created", request: request) { snapshot, installation in
            WebhookPayloadSchema.reviewComment(action: "created", comment: comment, pull: pull, facts: facts, repository: repository,
                                               sender: sender, installationID: installation, in: snapshot)
        }
        let snapshot = await snapshot(request)
        return request.created(ReviewCommentSchema.json(comment, repository: repository, in: snapshot),
                               location: "\(snapshot.apiURL(repository))/pulls/comments/\(comment.id)")
    }
}
