import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The endpoints under `/repos/{owner}/{repo}/…` beyond the repository itself: issues,
/// comments, reactions, pull requests, compare, refs and collaborator permissions.
///
/// Every request is authenticated (installation or user token) and the repository must be
/// visible to the caller — one of the token's repositories, or one the user has a role on —
/// else GitHub's 404 (the forge's repositories are all private). Each endpoint then checks its
/// own `Need` and answers with GitHub's shapes; what changes something is delivered to the
/// App's webhook afterwards.
struct RepositoryAPI: Sendable {
    let state: ForgeState
    let webhooks: WebhookDispatcher
    let logger: Logger

    func handle(_ call: APIHandler.Call, owner: String, name: String, rest: [String]) async -> Response {
        guard case .bearer(let token)? = call.authorization, let caller = await state.caller(forToken: token) else {
            return APIResponse.badCredentials()
        }
        let metadata = await state.metadata
        guard let repository = metadata.repository(owner: owner, name: name), await isVisible(repository, to: caller, metadata: metadata) else {
            return APIResponse.notFound(documentationURL: APIResponse.Docs.getRepository)
        }
        let request = RepositoryRequest(call: call, caller: caller, repository: repository, rest: rest,
                                        bare: state.layout.bareRepository(owner: repository.owner, name: repository.name))
        do {
            return try await route(request)
        } catch {
            return error.response
        }
    }

    private func isVisible(_ repository: RepositoryRecord, to caller: Caller, metadata: ForgeMetadata) async -> Bool {
        switch caller {
        case .installation(let token): return await state.repositories(for: token).contains { $0.id == repository.id }
        case .user(let login): return metadata.role(of: login, on: repository) != nil
        }
    }

    private func route(_ request: RepositoryRequest) async throws(APIFailure) -> Response {
        let r = request.rest
        switch (request.call.method, r.count) {
        case (.post, 1) where r[0] == "issues":
            return try await createIssue(request)
        case (.get, 2) where r[0] == "issues":
            return try await getIssue(request, number: r[1])
        case (.post, 3) where r[0] == "issues" && r[2] == "comments":
            return try await createIssueComment(request, issueNumber: r[1])
        case (.get, 3) where r[0] == "issues" && r[1] != "comments" && r[2] == "comments":
            return try await listIssueComments(request, issueNumber: r[1])
        case (.get, 3) where r[0] == "issues" && r[1] == "comments":
            return try await getIssueComment(request, id: r[2])
        case (.patch, 3) where r[0] == "issues" && r[1] == "comments":
            return try await updateIssueComment(request, id: r[2])
        case (_, 4) where r[0] == "issues" && r[1] == "comments" && r[3] == "reactions":
            return try await issueCommentReactions(request, id: r[2])
        case (_, 3) where r[0] == "issues" && r[2] == "reactions":
            return try await issueReactions(request, number: r[1])
        case (.post, 1) where r[0] == "pulls":
            return try await createPullRequest(request)
        case (.get, 1) where r[0] == "pulls":
            return try await listPullRequests(request)
        case (.get, 2) where r[0] == "pulls":
            return try await getPullRequest(request, number: r[1])
        case (.post, 3) where r[0] == "pulls" && r[2] == "comments":
            return try await createReviewComment(request, pullNumber: r[1])
        case (.get, 3) where r[0] == "pulls" && r[1] != "comments" && r[2] == "comments":
            return try await listReviewComments(request, pullNumber: r[1])
        case (.post, 5) where r[0] == "pulls" && r[2] == "comments" && r[4] == "replies":
            return try await replyToReviewComment(request, pullNumber: r[1], id: r[3])
        case (.get, 3) where r[0] == "pulls" && r[1] == "comments":
            return try await getReviewComment(request, id: r[2])
        case (_, 4) where r[0] == "pulls" && r[1] == "comments" && r[3] == "reactions":
            return try await reviewCommentReactions(request, id: r[2])
        case (.get, 2...) where r[0] == "compare":
            return try await compare(request, basehead: Self.joined(r.dropFirst()))
        case (.get, 3...) where r[0] == "git" && r[1] == "ref":
            return try await getRef(request, ref: Self.joined(r.dropFirst(2)))
        case (.delete, 3...) where r[0] == "git" && r[1] == "refs":
            return try await deleteRef(request, ref: Self.joined(r.dropFirst(2)))
        case (.get, 3) where r[0] == "collaborators" && r[2] == "permission":
            return try await collaboratorPermission(request, login: r[1].removingPercentEncoding ?? r[1])
        default:
            return APIResponse.notFound()
        }
    }

    /// Path segments that together name a ref (branches may contain `/`), percent-decoded.
    private static func joined(_ segments: ArraySlice<String>) -> String {
        let raw = segments.joined(separator: "/")
        return raw.removingPercentEncoding ?? raw
    }

    // MARK: Shared

    func snapshot(_ request: RepositoryRequest) async -> ForgeSnapshot {
        await state.snapshot(urls: request.urls)
    }

    /// The activity change as GitHub's error: 404 for what vanished, 500 if it could not be saved.
    func failure(_ error: ForgeState.ActivityFailure, documentationURL: String) -> APIFailure {
        switch error {
        case .issueNotFound, .commentNotFound, .duplicatePullRequest:
            return APIFailure(APIResponse.notFound(documentationURL: documentationURL))
        case .persistence:
            return APIFailure(APIResponse.error(.internalServerError, "Server Error", documentationURL: documentationURL))
        }
    }

    /// Sends the webhook event an API change causes, when an installation covers the
    /// repository (GitHub delivers an App's events only from repositories it is installed on).
    func deliver(_ event: String, action: String, request: RepositoryRequest,
                 payload: @Sendable (ForgeSnapshot, Int) -> JSONValue) async {
        let snapshot = await snapshot(request)
        guard let installation = snapshot.metadata.installation(covering: request.repository) else { return }
        await webhooks.emit(event, action: action, payload: payload(snapshot, installation.id),
                            installationID: installation.id, repositoryID: request.repository.id)
    }
}
