import Forge
import Foundation
import NIOHTTP1
import TestSupport

/// Conveniences over a running forge for the tests: JWT calls, minting, git URLs.
extension ForgeProcess {
    var api: String { baseURL.absoluteString }

    func jwt() throws -> String { try AppJWT.forApp(keyPath: privateKeyPath, appID: appID) }

    /// A request authenticated as the App.
    func appRequest(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> HTTPReply {
        try await HTTP.send(method, api + path, headers: ["Authorization": "Bearer \(try jwt())"], body: body)
    }

    /// A request authenticated with a token (installation `ghs_` or user `ghu_`).
    func tokenRequest(_ method: HTTPMethod, _ path: String, token: String, body: String? = nil) async throws -> HTTPReply {
        try await HTTP.send(method, api + path, headers: ["Authorization": "token \(token)"], body: body)
    }

    /// A request with a JSON body built from `json`.
    func tokenRequest(_ method: HTTPMethod, _ path: String, token: String, json: JSONValue) async throws -> HTTPReply {
        try await tokenRequest(method, path, token: token, body: json.jsonString)
    }

    /// Mints a token for `owner`'s installation; `body` is the raw JSON request.
    func mint(owner: String, body: String) async throws -> String {
        let installation = try require(installationIDs[owner], "no installation for \(owner)")
        let reply = try await appRequest(.POST, "/app/installations/\(installation)/access_tokens", body: body)
        guard reply.status == 201, let token = try reply.json()["token"]?.stringValue else {
            throw ForgeProcessError("mint failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// `http://x-access-token:TOKEN@127.0.0.1:PORT/owner/name.git`.
    func authenticatedCloneURL(_ fullName: String, token: String) -> String {
        var components = URLComponents(url: cloneURL(fullName), resolvingAgainstBaseURL: false)!
        components.user = "x-access-token"
        components.password = token
        return components.string!
    }
}

/// `try #require` outside a test function needs Testing; keep the helper self-contained.
private func require<T>(_ value: T?, _ message: String = "missing value") throws -> T {
    guard let value else { throw ForgeProcessError(message) }
    return value
}
