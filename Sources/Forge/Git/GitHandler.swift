import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Git smart HTTP with GitHub's access rules for installation tokens: no credentials → 401 with
/// a Basic challenge; bad token → 401; repository not covered (or absent) → 404
/// `Repository not found.`; fetch without `contents: read` or push without `contents: write` → 403
/// at the first request, so git prints GitHub's `remote: Permission to ... denied` line. A user
/// token (`ghu_`) fetches where its user has a role and pushes with `write` or above.
struct GitHandler: Sendable {
    let state: ForgeState
    let backend: GitHTTPBackend
    let logger: Logger

    static let challengeHeaders: HTTPFields = [.wwwAuthenticate: "Basic realm=\"GitHub\""]

    func handle(_ route: GitRoute, request: Request, context: ForgeRequestContext) async throws -> Response {
        await state.countGitRequest()
        guard let service = route.service else {
            return APIResponse.text(.forbidden, "The dumb HTTP protocol is not supported; use git's smart HTTP protocol.\n")
        }
        guard let credentials = AuthorizationCredentials(header: request.headers[.authorization]) else {
            return APIResponse.text(.unauthorized, "Authentication required.\n", headers: Self.challengeHeaders)
        }
        let token = credentials.gitToken
        let metadata = await state.metadata
        let repository: RepositoryRecord
        if let login = await state.userLogin(forToken: token) {
            // A person's token: their role on the repository decides, as for a collaborator on GitHub.
            guard let found = metadata.repository(owner: route.owner, name: route.repository),
                  let role = metadata.role(of: login, on: found) else {
                return APIResponse.text(.notFound, "Repository not found.\n")
            }
            if service == .receivePack && role < .write {
                return APIResponse.text(.forbidden, "Permission to \(found.fullName).git denied to \(login).\n")
            }
            repository = found
        } else {
            guard let record = await state.liveToken(token) else {
                return APIResponse.text(.unauthorized,
                                        "Invalid username or token. Password authentication is not supported for Git operations.\n",
                                        headers: Self.challengeHeaders)
            }
            let reachable = await state.repositories(for: record)
            guard let found = reachable.first(where: {
                $0.owner.caseInsensitiveCompare(route.owner) == .orderedSame
                    && $0.name.caseInsensitiveCompare(route.repository) == .orderedSame
            }) else {
                logger.info("git: repository not reachable with token", metadata: [
                    "repository": "\(route.owner)/\(route.repository)", "token.sha256": "\(record.fingerprint)",
                ])
                return APIResponse.text(.notFound, "Repository not found.\n")
            }
            // Every forge repository is private, so like GitHub it serves its contents only to tokens
            // with `contents` (a metadata-only token can list repositories, never clone them).
            let needed = service == .receivePack ? "write" : "read"
            if !record.grants("contents", atLeast: needed) {
                return APIResponse.text(.forbidden, "Permission to \(found.fullName).git denied to \(metadata.app.slug)[bot].\n")
            }
            repository = found
        }

        let username: String
        if case .basic(let user, _) = credentials, !user.isEmpty { username = user } else { username = "x-access-token" }
        let cgi = GitHTTPBackend.CGIRequest(
            method: request.method.rawValue,
            pathInfo: "/\(repository.owner)/\(repository.name).git/\(route.rest)",
            query: request.uri.query ?? "",
            contentType: request.headers[.contentType],
            contentLength: request.headers[.contentLength],
            contentEncoding: request.headers[.contentEncoding],
            gitProtocol: request.headers[.gitProtocol],
            remoteUser: username,
            remoteAddress: context.remoteIPAddress)
        return try await backend.respond(to: cgi, body: request.body)
    }
}
