import Foundation
import HTTPTypes
import Hummingbird

/// `POST /repos/{o}/{r}/issues`, `GET /repos/{o}/{r}/issues/{n}`.
extension RepositoryAPI {
    func createIssue(_ request: RepositoryRequest) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.createIssue
        try request.require(Need([("issues", "write")], documentationURL: docs), metadata: await state.metadata)
        let body = try request.body(documentationURL: docs)
        let title = try body.requiredString("title")
        let text = try body.string("body")
        if title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIFailure(APIResponse.validationFailed([APIResponse.validationError(resource: "Issue", code: "missing_field", field: "title")],
                                                         documentationURL: docs))
        }
        try request.checkLength(text, error: APIResponse.validationError(
            resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)"), documentationURL: docs)

        let issue: IssueRecord
        do {
            issue = try await state.openIssue(repositoryID: request.repository.id, title: title, body: text, author: request.author)
        } catch {
            throw failure(error, documentationURL: docs)
        }
        let repository = request.repository
        let sender = request.author
        await deliver("issues", action: "opened", request: request) { snapshot, installation in
            WebhookPayloadSchema.issues(action: "opened", issue: issue, repository: repository, sender: sender,
                                        installationID: installation, in: snapshot)
        }
        let snapshot = await snapshot(request)
        return request.created(IssueSchema.json(issue, repository: repository, in: snapshot),
                               location: "\(snapshot.apiURL(repository))/issues/\(issue.number)")
    }

    func getIssue(_ request: RepositoryRequest, number segment: String) async throws(APIFailure) -> Response {
        let issue = try await conversationIssue(request, number: segment, level: "read", documentationURL: APIResponse.Docs.getIssue)
        return APIResponse.json(.ok, IssueSchema.json(issue, repository: request.repository, in: await snapshot(request)))
    }

    /// The issue `segment` names in this repository, after checking the caller may `level` its
    /// conversation; 404 when there is none.
    func conversationIssue(_ request: RepositoryRequest, number segment: String, level: String,
                           documentationURL docs: String) async throws(APIFailure) -> IssueRecord {
        let number = try request.number(segment, documentationURL: docs)
        let snapshot = await snapshot(request)
        let issue = snapshot.activity.issue(repositoryID: request.repository.id, number: number)
        try request.require(.conversation(pullRequest: issue?.isPullRequest ?? false, level: level, documentationURL: docs),
                            metadata: snapshot.metadata)
        guard let issue else { throw request.notFound(docs) }
        return issue
    }
}
