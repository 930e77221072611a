import Foundation
import HTTPTypes
import Hummingbird

/// Pull requests: create (with GitHub's 422s), list, get. The head is a branch of this
/// repository or, as `owner:branch`, of a fork of it (`forge init --fork`); its commits are
/// checked against the base with the real git and kept as `refs/pull/N/head`.
extension RepositoryAPI {
    func createPullRequest(_ request: RepositoryRequest) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.createPullRequest
        let metadata = await state.metadata
        try request.require(Need([("pull_requests", "write")], documentationURL: docs), metadata: metadata)
        let body = try request.body(documentationURL: docs)
        let title = try body.requiredString("title")
        let head = try body.requiredString("head")
        let base = try body.requiredString("base")
        let text = try body.string("body")
        let draft = try body.bool("draft") ?? false
        let maintainerCanModify = try body.bool("maintainer_can_modify") ?? true
        try request.checkLength(text, error: APIResponse.validationError(
            resource: "PullRequest", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)"),
            documentationURL: docs)
        func invalid(_ field: String) -> APIFailure {
            APIFailure(APIResponse.validationFailed([APIResponse.validationError(resource: "PullRequest", code: "invalid", field: field)],
                                                   documentationURL: docs))
        }
        func custom(_ message: String) -> APIFailure {
            APIFailure(APIResponse.validationFailed([APIResponse.validationError(resource: "PullRequest", code: "custom", message: message)],
                                                   documentationURL: docs))
        }

        let repository = request.repository
        guard let resolved = headBranch(head, headRepo: try body.string("head_repo"), base: repository, metadata: metadata) else {
            throw invalid("head")
        }
        let (headRepository, headRef) = resolved
        let headBare = state.layout.bareRepository(owner: headRepository.owner, name: headRepository.name)
        guard let headSHA = await GitQueries.branch(headRef, in: headBare) else { throw invalid("head") }
        guard let baseSHA = await GitQueries.branch(base, in: request.bare) else { throw invalid("base") }
        if await state.activity.openPullRequest(repositoryID: repository.id, headRepositoryID: headRepository.id, headRef: headRef, baseRef: base) != nil {
            throw custom("A pull request already exists for \(headRepository.owner):\(headRef).")
        }

        // A fork's commits are not in this repository yet: fetch them under a scratch ref,
        // dropped once `refs/pull/N/head` holds them (or the request failed).
        let fromFork = headRepository.id != repository.id
        let scratch = "refs/forge/incoming/\(UUID().uuidString.lowercased())"
        func dropScratch() async {
            if fromFork { _ = try? await GitQueries.deleteRef(scratch, in: request.bare) }
        }
        if fromFork {
            do {
                try await GitQueries.fetch("refs/heads/\(headRef)", from: headBare, into: request.bare, as: scratch)
            } catch {
                await dropScratch()
                throw APIFailure(APIResponse.error(.internalServerError, "Server Error", documentationURL: docs))
            }
        }
        let ahead = (try? await GitQueries.count(from: baseSHA, to: headSHA, in: request.bare)) ?? 0
        guard ahead > 0 else {
            await dropScratch()
            throw custom("No commits between \(base) and \(head)")
        }

        let pull: PullRequestRecord
        do {
            pull = try await state.openPullRequest(repositoryID: repository.id, title: title, body: text, author: request.author,
                                                   headRepositoryID: headRepository.id, headRef: headRef, headSHA: headSHA, baseRef: base,
                                                   draft: draft, maintainerCanModify: maintainerCanModify)
        } catch .duplicatePullRequest {
            await dropScratch()
            throw custom("A pull request already exists for \(headRepository.owner):\(headRef).")
        } catch {
            await dropScratch()
            throw failure(error, documentationURL: docs)
        }
        try? await GitQueries.updateRef("refs/pull/\(pull.number)/head", to: headSHA, in: request.bare)
        await dropScratch()

        let facts = await self.facts(pull, repository: repository, withStats: true)
        let sender = request.author
        await deliver("pull_request", action: "opened", request: request) { snapshot, installation in
            WebhookPayloadSchema.pullRequest(action: "opened", pull: pull, facts: facts, repository: repository, sender: sender,
                                             installationID: installation, in: snapshot)
        }
        let snapshot = await snapshot(request)
        return request.created(PullRequestSchema.json(pull, repository: repository, facts: facts, in: snapshot),
                               location: "\(snapshot.apiURL(repository))/pulls/\(pull.number)")
    }

    /// `GET …/pulls?state=open|closed|all&head=owner:branch&base=branch`, newest first.
    func listPullRequests(_ request: RepositoryRequest) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.listPullRequests
        let snapshot = await snapshot(request)
        try request.require(Need([("pull_requests", "read")], documentationURL: docs), metadata: snapshot.metadata)
        let query = request.call.query
        let wantedState = query["state"] ?? "open"
        let headFilter: (owner: String, ref: String)? = query["head"].map { value in
            guard let colon = value.firstIndex(of: ":") else { return (request.repository.owner, value) }
            return (String(value[..<colon]), String(value[value.index(after: colon)...]))
        }
        var matching: [PullRequestRecord] = []
        for pull in snapshot.activity.pullRequests.reversed() where pull.repositoryID == request.repository.id {
            let issueState = snapshot.activity.issue(repositoryID: pull.repositoryID, number: pull.number)?.state ?? "open"
            if wantedState != "all" && issueState != wantedState { continue }
            if let base = query["base"], pull.baseRef != base { continue }
            if let headFilter {
                let headOwner = snapshot.metadata.repository(id: pull.headRepositoryID)?.owner ?? ""
                if pull.headRef != headFilter.ref || headOwner.caseInsensitiveCompare(headFilter.owner) != .orderedSame { continue }
            }
            matching.append(pull)
        }
        var items: [JSONValue] = []
        for pull in matching {
            items.append(PullRequestSchema.json(pull, repository: request.repository,
                                                facts: await facts(pull, repository: request.repository, withStats: false), in: snapshot))
        }
        return request.page(items)
    }

    func getPullRequest(_ request: RepositoryRequest, number segment: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.getPullRequest
        let pull = try await pullRequest(request, number: segment, level: "read", documentationURL: docs)
        let facts = await facts(pull, repository: request.repository, withStats: true)
        return APIResponse.json(.ok, PullRequestSchema.json(pull, repository: request.repository, facts: facts, in: await snapshot(request)))
    }

    /// The pull request `segment` names, after checking `pull_requests` at `level`; 404 if none.
    func pullRequest(_ request: RepositoryRequest, number segment: String, level: String,
                     documentationURL docs: String) async throws(APIFailure) -> PullRequestRecord {
        let number = try request.number(segment, documentationURL: docs)
        try request.require(Need([("pull_requests", level)], documentationURL: docs), metadata: await state.metadata)
        guard let pull = await state.activity.pullRequest(repositoryID: request.repository.id, number: number) else {
            throw request.notFound(docs)
        }
        return pull
    }

    /// The head and base commits now (a same-repository head follows its branch; a fork's is
    /// the one fetched when the pull request was opened) and, for the full object, the counts.
    func facts(_ pull: PullRequestRecord, repository: RepositoryRecord, withStats: Bool) async -> PullRequestSchema.Facts {
        let bare = state.layout.bareRepository(owner: repository.owner, name: repository.name)
        let liveHead = pull.isFromFork ? nil : await GitQueries.branch(pull.headRef, in: bare)
        let headSHA = liveHead ?? pull.headSHA
        let baseSHA = await GitQueries.branch(pull.baseRef, in: bare) ?? ""
        guard withStats else { return .init(headSHA: headSHA, baseSHA: baseSHA, stats: nil) }
        let mergeBase = await GitQueries.mergeBase(baseSHA, headSHA, in: bare) ?? baseSHA
        let commits = (try? await GitQueries.count(from: mergeBase, to: headSHA, in: bare)) ?? 0
        let changes = (try? await GitQueries.changes(from: mergeBase, to: headSHA, in: bare)) ?? []
        return .init(headSHA: headSHA, baseSHA: baseSHA, stats: .init(
            commits: commits, additions: changes.reduce(0) { $0 + $1.additions }, deletions: changes.reduce(0) { $0 + $1.deletions },
            changedFiles: changes.count))
    }

    /// `branch` (this repository) or `owner:branch` (that owner's fork of it, or `head_repo`).
    private func headBranch(_ head: String, headRepo: String?, base: RepositoryRecord, metadata: ForgeMetadata) -> (RepositoryRecord, String)? {
        guard let colon = head.firstIndex(of: ":") else {
            if let headRepo {
                let parts = headRepo.split(separator: "/").map(String.init)
                guard parts.count == 2, let fork = metadata.repository(owner: parts[0], name: parts[1]), fork.id == base.id || fork.parentID == base.id else {
                    return nil
                }
                return (fork, head)
            }
            return (base, head)
        }
        let owner = String(head[..<colon])
        let ref = String(head[head.index(after: colon)...])
        if owner.caseInsensitiveCompare(base.owner) == .orderedSame { return (base, ref) }
        guard let fork = metadata.repositories.first(where: {
            $0.parentID == base.id && $0.owner.caseInsensitiveCompare(owner) == .orderedSame
        }) else { return nil }
        return (fork, ref)
    }
}
