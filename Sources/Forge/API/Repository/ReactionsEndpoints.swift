import Foundation
import HTTPTypes
import Hummingbird

/// Reactions on issue comments, review comments and issues: `POST` answers 201 for a new
/// reaction and 200 with the existing one when the same actor already reacted so; `GET` lists
/// them (optionally `?content=`).
extension RepositoryAPI {
    func issueCommentReactions(_ request: RepositoryRequest, id segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.issueCommentReactions
        let comment = try await issueComment(request, id: segment, level: request.call.method == .post ? "write" : "read", documentationURL: docs)
        return try await reactions(request, subject: .issueComment(id: comment.id), documentationURL: docs)
    }

    func issueReactions(_ request: RepositoryRequest, number segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.issueReactions
        let issue = try await conversationIssue(request, number: segment, level: request.call.method == .post ? "write" : "read", documentationURL: docs)
        return try await reactions(request, subject: .issue(repositoryID: request.repository.id, number: issue.number), documentationURL: docs)
    }

    func reviewCommentReactions(_ request: RepositoryRequest, id segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.reviewCommentReactions
        let comment = try await reviewComment(request, id: segment, level: request.call.method == .post ? "write" : "read", documentationURL: docs)
        return try await reactions(request, subject: .reviewComment(id: comment.id), documentationURL: docs)
    }

    private func reactions(_ request: RepositoryRequest, subject: ReactionRecord.Subject, documentationURL docs: String) async throws(APIFailure) -> Response {
        switch request.call.method {
        case .get:
            let snapshot = await snapshot(request)
            let filter = request.call.query["content"]
            return request.page(snapshot.activity.reactions(to: subject).filter { filter == nil || $0.content == filter }.map {
                ReactionSchema.json($0, in: snapshot)
            })
        case .post:
            let content = try request.body(documentationURL: docs).requiredString("content")
            guard ReactionRecord.contents.contains(content) else {
                throw APIFailure(APIResponse.validationFailed([APIResponse.validationError(
                    resource: "Reaction", code: "invalid", field: "content",
                    message: "content must be one of \(ReactionRecord.contents.joined(separator: ", "))")], documentationURL: docs))
            }
            let outcome: (reaction: ReactionRecord, created: Bool)
            do {
                outcome = try await state.react(to: subject, content: content, author: request.author)
            } catch {
                throw failure(error, documentationURL: docs)
            }
            return APIResponse.json(outcome.created ? .created : .ok, ReactionSchema.json(outcome.reaction, in: await snapshot(request)))
        default:
            return APIResponse.notFound()
        }
    }
}
