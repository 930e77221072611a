import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("installation tokens")
struct TokenMintingTests {
    static let setup = ForgeProcess.Setup(owners: ["acme"], repos: ["demo/hello", "demo/world", "acme/tools"])

    @Test("mint 201: token shape, expiry, permissions and repositories only when named")
    func mintShape() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let demoID = try #require(forge.installationIDs["demo"])
            let named = try await forge.appRequest(.POST, "/app/installations/\(demoID)/access_tokens",
                                                  body: #"{"repositories":["Hello"],"permissions":{"contents":"read"}}"#)
            #expect(named.status == 201)
            let body = try named.json()
            let token = try #require(body["token"]?.stringValue)
            #expect(token.hasPrefix("ghs_") && token.count == 40)
            #expect(token.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            let expiresAt = try #require(body["expires_at"]?.stringValue)
            #expect(expiresAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
            let expiry = try #require(try? Date.ISO8601FormatStyle().parse(expiresAt))
            #expect(abs(expiry.timeIntervalSinceNow - 3600) < 60)
            #expect(body["permissions"] == ["contents": "read", "metadata": "read"])
            #expect(body["repository_selection"] == "selected")
            let repositories = try #require(body["repositories"]?.arrayValue)
            #expect(repositories.count == 1)
            let repository = repositories[0]
            #expect(repository["full_name"] == "demo/hello")
            for field in ["id", "node_id", "name", "private", "owner", "html_url", "description", "fork", "url", "clone_url", "git_url",
                          "ssh_url", "default_branch", "visibility", "topics", "has_discussions", "subscribers_count", "network_count",
                          "permissions", "created_at", "updated_at", "pushed_at", "size", "archived", "disabled", "license", "homepage"] {
                #expect(repository[field] != nil, "repository lacks \(field)")
            }
            #expect(repository["clone_url"]?.stringValue == "\(forge.api)/demo/hello.git")
            #expect(repository["default_branch"] == "main")

            // Without repositories: no `repositories` key, the installation's grant.
            let all = try await forge.appRequest(.POST, "/app/installations/\(demoID)/access_tokens", body: "")
            #expect(all.status == 201)
            let allBody = try all.json()
            #expect(allBody["repositories"] == nil)
            #expect(allBody["permissions"] == ["contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write"])
            let empty = try await forge.appRequest(.POST, "/app/installations/\(demoID)/access_tokens", body: #"{"permissions":{}}"#)
            #expect(empty.status == 201)

            // The unrestricted token lists every repository of its installation, not other owners'.
            let allToken = try #require(allBody["token"]?.stringValue)
            let list = try await forge.tokenRequest(.GET, "/installation/repositories", token: allToken)
            #expect(try list.json()["total_count"]?.intValue == 2)

            let stats = try await forge.stats()
            #expect(stats.mints == 3)
            #expect(stats.mintsByInstallation[String(demoID)] == 3)
        }
    }

    @Test("mint errors: 422 uncovered repository or permission, 404 installation, 400 bad JSON, 401 bad JWT")
    func mintErrors() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let demoID = try #require(forge.installationIDs["demo"])
            let path = "/app/installations/\(demoID)/access_tokens"
            let doc = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"

            for body in [#"{"repositories":["tools"]}"#, #"{"repositories":["nope"]}"#, #"{"repositories":["demo/hello"]}"#,
                         #"{"repository_ids":[123]}"#] {
                let reply = try await forge.appRequest(.POST, path, body: body)
                #expect(reply.status == 422, "\(body)")
                #expect(try reply.json()["message"] == "There is at least one repository that does not exist or is not accessible to the parent installation.")
            }
            for body in [#"{"permissions":{"administration":"read"}}"#, #"{"permissions":{"contents":"admin"}}"#,
                         #"{"permissions":{"test-permissions":"read"}}"#] {
                let reply = try await forge.appRequest(.POST, path, body: body)
                #expect(reply.status == 422, "\(body)")
                #expect(try reply.json() == ["message": "The permissions requested are not granted to this installation.", "documentation_url": .string(doc), "status": "422"])
            }
            for body in ["{bad", #"{"permissions":"invalid_data"}"#] {
                let reply = try await forge.appRequest(.POST, path, body: body)
                #expect(reply.status == 400, "\(body)")
                #expect(try reply.json()["message"] == "Problems parsing JSON")
            }
            let missing = try await forge.appRequest(.POST, "/app/installations/40432121/access_tokens", body: "{}")
            #expect(missing.status == 404)
            #expect(try missing.json()["message"] == "Not Found")

            let noJWT = try await HTTP.send(.POST, forge.api + path, headers: ["Authorization": "token ghs_notajwt"], body: "{}")
            #expect(noJWT.status == 401)
            #expect(try await forge.stats().mints == 0)
        }
    }

    @Test("token use: GET /repos covers only the token's repos; DELETE /installation/token kills it at once")
    func useAndRevoke() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let token = try await forge.mint(owner: "demo", body: #"{"repositories":["hello"],"permissions":{"contents":"write"}}"#)
            let repo = try await forge.tokenRequest(.GET, "/repos/demo/hello", token: token)
            #expect(repo.status == 200)
            #expect(try repo.json()["permissions"]?["push"] == true)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/world", token: token).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/acme/tools", token: token).status == 404)
            let bearer = try await HTTP.send(.GET, forge.api + "/installation/repositories", headers: ["Authorization": "BEARER \(token)"])
            #expect(bearer.status == 200)

            let revoke = try await forge.tokenRequest(.DELETE, "/installation/token", token: token)
            #expect(revoke.status == 204)
            let after = try await forge.tokenRequest(.GET, "/installation/repositories", token: token)
            #expect(after.status == 401)
            #expect(try after.json()["message"] == "Bad credentials")
            #expect(try await forge.tokenRequest(.DELETE, "/installation/token", token: token).status == 401)
            #expect(try await forge.tokenRequest(.GET, "/installation/repositories", token: "ghs_unknown").status == 401)
            #expect(try await HTTP.send(.GET, forge.api + "/installation/repositories").status == 401)
            #expect(try await forge.stats().revocations == 1)

            // Tokens never reach the logs; their SHA-256 prefix does.
            #expect(!forge.logs().contains(token))
        }
    }
}
