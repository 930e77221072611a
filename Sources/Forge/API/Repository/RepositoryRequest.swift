import Foundation
import HTTPTypes
import Hummingbird

/// What an endpoint under `/repos/{owner}/{repo}/…` needs from its caller: for an installation
/// token, any one of `permissions` at its level (GitHub's 403 `Resource not accessible by
/// integration` otherwise); for a user token, `role` on the repository.
struct Need: Sendable {
    var permissions: [(name: String, level: String)]
    var role: RepositoryRole
    var documentationURL: String
    /// The 403 message for a user below `role`.
    var userDenial: String

    init(_ permissions: [(name: String, level: String)], role: RepositoryRole = .read, documentationURL: String,
         userDenial: String = "Must have push access to repository.") {
        self.permissions = permissions
        self.role = role
        self.documentationURL = documentationURL
        self.userDenial = userDenial
    }

    /// Issues, or — for a pull request's conversation — issues or pull requests (GitHub accepts
    /// either permission there).
    static func conversation(pullRequest: Bool, level: String, documentationURL: String) -> Need {
        Need(pullRequest ? [("issues", level), ("pull_requests", level)] : [("issues", level)], documentationURL: documentationURL)
    }
}

/// One API request on a repository the caller can see: the repository, the caller, the path
/// after `/repos/{owner}/{repo}/`, and the checks every endpoint shares.
struct RepositoryRequest: Sendable {
    let call: APIHandler.Call
    let caller: Caller
    let repository: RepositoryRecord
    let rest: [String]
    let bare: URL

    var urls: ForgeURLs { call.urls }
    var author: Author { caller.author }

    /// Throws GitHub's 403 unless the caller meets `need`.
    func require(_ need: Need, metadata: ForgeMetadata) throws(APIFailure) {
        switch caller {
        case .installation(let token):
            guard need.permissions.contains(where: { token.grants($0.name, atLeast: $0.level) }) else {
                throw APIFailure(APIResponse.notAccessibleByIntegration(documentationURL: need.documentationURL))
            }
        case .user(let login):
            guard let role = metadata.role(of: login, on: repository), role >= need.role else {
                throw APIFailure(APIResponse.error(.forbidden, need.userDenial, documentationURL: need.documentationURL))
            }
        }
    }

    func body(documentationURL: String) throws(APIFailure) -> JSONBody {
        try JSONBody(call.body, documentationURL: documentationURL)
    }

    /// A numeric path segment (issue number, comment id); anything else is GitHub's 404.
    func number(_ segment: String, documentationURL: String) throws(APIFailure) -> Int {
        guard let value = Int(segment), value > 0 else { throw notFound(documentationURL) }
        return value
    }

    func notFound(_ documentationURL: String) -> APIFailure {
        APIFailure(APIResponse.notFound(documentationURL: documentationURL))
    }

    /// GitHub's 65,536-character limit on bodies (counted in Unicode scalars, as Ruby does).
    static let maxBodyLength = 65_536

    /// Throws `Validation Failed` with `error` when `text` is over the limit.
    func checkLength(_ text: String?, error: JSONValue, documentationURL: String) throws(APIFailure) {
        guard let text, text.unicodeScalars.count > Self.maxBodyLength else { return }
        throw APIFailure(APIResponse.validationFailed([error], documentationURL: documentationURL))
    }

    /// `201 Created` with `Location` naming the new resource, as GitHub answers creations.
    func created(_ body: JSONValue, location: String) -> Response {
        var headers: HTTPFields = [:]
        headers[.location] = location
        return APIResponse.json(.created, body, headers: headers)
    }

    /// `per_page`/`page` slice of `items` with the `Link` header for this path.
    func page(_ items: [JSONValue]) -> Response {
        let pagination = Pagination(perPage: call.query["per_page"], page: call.query["page"])
        var headers: HTTPFields = [:]
        if let link = pagination.linkHeader(total: items.count, url: "\(urls.api)\(call.path)") { headers[.link] = link }
        return APIResponse.json(.ok, .array(pagination.slice(items)), headers: headers)
    }
}
