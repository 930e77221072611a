import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The REST subset: routes an API request to its endpoint after authentication.
struct APIHandler: Sendable {
    let state: ForgeState
    let verifier: AppJWTVerifier
    let repositories: RepositoryAPI
    let deliveries: HookDeliveriesAPI
    let logger: Logger

    /// One API request, pre-digested.
    struct Call {
        var method: HTTPRequest.Method
        var segments: [String]
        var query: [String: String]
        var authorization: AuthorizationCredentials?
        var urls: ForgeURLs
        var path: String
        var body: [UInt8]
    }

    func handle(_ call: Call) async -> Response {
        let s = call.segments
        switch (call.method, s.count) {
        case (.get, 1) where s[0] == "app":
            return await withApp(call) { metadata in APIResponse.json(.ok, AppSchema.json(metadata, urls: call.urls)) }
        case (.get, 2) where s == ["app", "installations"]:
            return await withApp(call) { metadata in listInstallations(call, metadata: metadata) }
        case (.get, 3) where s[0] == "app" && s[1] == "installations":
            return await withApp(call) { metadata in
                guard let id = Int(s[2]), let installation = metadata.installation(id: id) else {
                    return APIResponse.notFound(documentationURL: "https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app")
                }
                return installationResponse(installation, metadata: metadata, urls: call.urls)
            }
        case (.post, 4) where s[0] == "app" && s[1] == "installations" && s[3] == "access_tokens":
            return await withApp(call) { _ in await mint(call, installationID: s[2]) }
        case (.get, 4) where s[0] == "repos" && s[3] == "installation":
            return await installationLookup(call) { metadata in
                metadata.repository(owner: s[1], name: s[2]).flatMap { metadata.installation(covering: $0) }
            }
        case (.get, 3) where (s[0] == "orgs" || s[0] == "users") && s[2] == "installation":
            return await installationLookup(call) { metadata in metadata.installation(accountLogin: s[1]) }
        case (.get, 2) where s[0] == "users":
            // Public on GitHub: no credentials needed.
            return await user(login: s[1].removingPercentEncoding ?? s[1], urls: call.urls)
        case (.delete, 2) where s == ["installation", "token"]:
            return await withToken(call) { token, _ in
                await state.revoke(token)
                return APIResponse.noContent()
            }
        case (.get, 2) where s == ["installation", "repositories"]:
            return await withToken(call) { _, record in await listRepositories(call, token: record) }
        case (.get, 3) where s[0] == "repos":
            return await getRepository(call, owner: s[1], name: s[2])
        case (_, 4...) where s[0] == "repos":
            return await repositories.handle(call, owner: s[1], name: s[2], rest: Array(s[3...]))
        case (.get, 3) where s == ["app", "hook", "deliveries"]:
            return await withApp(call) { _ in await deliveries.list(query: call.query, url: "\(call.urls.api)/app/hook/deliveries") }
        case (.get, 4) where s[0] == "app" && s[1] == "hook" && s[2] == "deliveries":
            return await withApp(call) { _ in await deliveries.get(id: s[3]) }
        case (.post, 5) where s[0] == "app" && s[1] == "hook" && s[2] == "deliveries" && s[4] == "attempts":
            return await withApp(call) { _ in await deliveries.redeliver(id: s[3]) }
        default:
            return APIResponse.notFound()
        }
    }

    /// `GET /users/{login}`: an account of the forge, or the App's bot user `<slug>[bot]` (type
    /// `Bot`), which is who GitHub shows as the author of the App's commits.
    private func user(login: String, urls: ForgeURLs) async -> Response {
        let metadata = await state.metadata
        if login.caseInsensitiveCompare(metadata.app.botLogin) == .orderedSame {
            return APIResponse.json(.ok, AccountSchema.json(login: metadata.app.botLogin, id: metadata.app.botUserID, type: "Bot", urls: urls))
        }
        guard let account = metadata.accounts.first(where: { $0.login.caseInsensitiveCompare(login) == .orderedSame }) else {
            return APIResponse.notFound(documentationURL: "https://docs.github.com/rest/users/users#get-a-user")
        }
        return APIResponse.json(.ok, AccountSchema.json(account, urls: urls))
    }

    // MARK: Authentication

    /// Runs `body` when the request carries a valid App JWT; otherwise GitHub's 401.
    private func withApp(_ call: Call, _ body: (ForgeMetadata) async -> Response) async -> Response {
        guard case .bearer(let jwt)? = call.authorization else {
            return APIResponse.error(.unauthorized, AppJWTVerifier.Failure.undecodable.message)
        }
        do {
            try verifier.verify(jwt)
        } catch {
            logger.debug("refused App JWT", metadata: ["reason": "\(error)"])
            return APIResponse.error(.unauthorized, error.message)
        }
        return await body(await state.metadata)
    }

    /// Runs `body` when the request carries a live installation token; otherwise 401.
    private func withToken(_ call: Call, _ body: (String, IssuedToken) async -> Response) async -> Response {
        guard case .bearer(let token)? = call.authorization, let record = await state.liveToken(token) else {
            return APIResponse.badCredentials()
        }
        return await body(token, record)
    }

    // MARK: Installations

    private func installationResponse(_ installation: InstallationRecord, metadata: ForgeMetadata, urls: ForgeURLs) -> Response {
        guard let account = metadata.account(login: installation.accountLogin) else { return APIResponse.notFound() }
        return APIResponse.json(.ok, InstallationSchema.json(installation, account: account, app: metadata.app, urls: urls))
    }

    private func installationLookup(_ call: Call, _ find: @Sendable (ForgeMetadata) -> InstallationRecord?) async -> Response {
        await state.countInstallationLookup()
        return await withApp(call) { metadata in
            guard let installation = find(metadata) else {
                return APIResponse.notFound(documentationURL: APIResponse.Docs.installation)
            }
            return installationResponse(installation, metadata: metadata, urls: call.urls)
        }
    }

    private func listInstallations(_ call: Call, metadata: ForgeMetadata) -> Response {
        let pagination = Pagination(perPage: call.query["per_page"], page: call.query["page"])
        let page = pagination.slice(metadata.installations)
        let body = JSONValue.array(page.compactMap { installation in
            metadata.account(login: installation.accountLogin).map {
                InstallationSchema.json(installation, account: $0, app: metadata.app, urls: call.urls)
            }
        })
        var headers: HTTPFields = [:]
        if let link = pagination.linkHeader(total: metadata.installations.count, url: "\(call.urls.api)/app/installations") {
            headers[.link] = link
        }
        return APIResponse.json(.ok, body, headers: headers)
    }

    // MARK: Tokens

    private func mint(_ call: Call, installationID: String) async -> Response {
        let metadata = await state.metadata
        guard let id = Int(installationID), let installation = metadata.installation(id: id) else {
            return APIResponse.notFound(documentationURL: APIResponse.Docs.installation)
        }
        let resolution: MintRequest.Resolution
        do {
            let request = try MintRequest(body: call.body)
            resolution = try request.resolve(against: installation, metadata: metadata)
        } catch .unparsable {
            return APIResponse.error(.badRequest, MintRequest.Problem.unparsable.message, documentationURL: APIResponse.Docs.createToken)
        } catch {
            return APIResponse.error(.unprocessableContent, error.message, documentationURL: APIResponse.Docs.createToken)
        }
        let (token, record) = await state.issueToken(installationID: id, repositoryIDs: resolution.repositories?.map(\.id),
                                                     permissions: resolution.permissions)
        var body: [(String, JSONValue)] = [
            ("token", .string(token)),
            ("expires_at", .string(GitHubTime.string(from: record.expiresAt))),
            ("permissions", .stringMap(record.permissions)),
            ("repository_selection", "selected"),
        ]
        if let repositories = resolution.repositories {
            body.append(("repositories", .array(repositories.compactMap { repositoryJSON($0, metadata: metadata, token: record, urls: call.urls) })))
        }
        return APIResponse.json(.created, .object(body))
    }

    // MARK: Repositories

    private func repositoryJSON(_ repository: RepositoryRecord, metadata: ForgeMetadata, token: IssuedToken, urls: ForgeURLs) -> JSONValue? {
        repositoryJSON(repository, metadata: metadata, urls: urls,
                       access: RepositorySchema.Access(pull: token.grants("contents", atLeast: "read"), push: token.grants("contents", atLeast: "write")))
    }

    private func repositoryJSON(_ repository: RepositoryRecord, metadata: ForgeMetadata, urls: ForgeURLs, access: RepositorySchema.Access) -> JSONValue? {
        guard let owner = metadata.account(login: repository.owner) else { return nil }
        let bare = state.layout.bareRepository(owner: repository.owner, name: repository.name)
        return RepositorySchema.json(
            repository, owner: owner, defaultBranch: BareRepositoryInfo.defaultBranch(of: bare),
            sizeKB: BareRepositoryInfo.sizeInKilobytes(of: bare), pushedAt: nil, access: access, urls: urls)
    }

    private func listRepositories(_ call: Call, token: IssuedToken) async -> Response {
        let metadata = await state.metadata
        let repositories = await state.repositories(for: token)
        let pagination = Pagination(perPage: call.query["per_page"], page: call.query["page"])
        let body: JSONValue = [
            "total_count": .int(repositories.count),
            "repository_selection": "selected",
            "repositories": .array(pagination.slice(repositories).compactMap { repositoryJSON($0, metadata: metadata, token: token, urls: call.urls) }),
        ]
        var headers: HTTPFields = [:]
        if let link = pagination.linkHeader(total: repositories.count, url: "\(call.urls.api)/installation/repositories") {
            headers[.link] = link
        }
        return APIResponse.json(.ok, body, headers: headers)
    }

    /// `GET /repos/{owner}/{repo}`: for an installation token, one of its repositories; for a
    /// user token, one the user has a role on (`permissions.push` from write up).
    private func getRepository(_ call: Call, owner: String, name: String) async -> Response {
        guard case .bearer(let token)? = call.authorization, let caller = await state.caller(forToken: token) else {
            return APIResponse.badCredentials()
        }
        let metadata = await state.metadata
        var found: (RepositoryRecord, RepositorySchema.Access)?
        switch caller {
        case .installation(let record):
            if let repository = await state.repositories(for: record).first(where: {
                $0.owner.caseInsensitiveCompare(owner) == .orderedSame && $0.name.caseInsensitiveCompare(name) == .orderedSame
            }) {
                found = (repository, .init(pull: record.grants("contents", atLeast: "read"), push: record.grants("contents", atLeast: "write")))
            }
        case .user(let login):
            if let repository = metadata.repository(owner: owner, name: name), let role = metadata.role(of: login, on: repository) {
                found = (repository, .init(pull: true, push: role >= .write))
            }
        }
        guard let found, let json = repositoryJSON(found.0, metadata: metadata, urls: call.urls, access: found.1) else {
            return APIResponse.notFound(documentationURL: APIResponse.Docs.getRepository)
        }
        return APIResponse.json(.ok, json)
    }
}
