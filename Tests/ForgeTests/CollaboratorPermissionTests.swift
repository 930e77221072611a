import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("collaborator permission")
struct CollaboratorPermissionTests {
    static let setup = ForgeProcess.Setup(
        repos: ["demo/hello"], users: ["stranger"],
        collaborators: ["demo/hello:ada:admin", "demo/hello:max:maintain", "demo/hello:wes:write", "demo/hello:tia:triage", "demo/hello:rae:read"])

    @Test("GitHub's mapping: maintain → write, triage → read, owner admin, a stranger none, an unknown login 404")
    func levels() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let token = try await forge.mint(owner: "demo", body: #"{"permissions":{"metadata":"read"}}"#)
            let expected: [(String, String, String)] = [
                ("demo", "admin", "admin"), ("ada", "admin", "admin"), ("max", "write", "maintain"), ("wes", "write", "write"),
                ("tia", "read", "triage"), ("rae", "read", "read"), ("stranger", "none", "none"),
            ]
            for (login, permission, role) in expected {
                let reply = try await forge.tokenRequest(.GET, "/repos/demo/hello/collaborators/\(login)/permission", token: token)
                #expect(reply.status == 200, "\(login): \(reply.text)")
                let body = try reply.json()
                #expect(body["permission"]?.stringValue == permission, "\(login)")
                #expect(body["role_name"]?.stringValue == role, "\(login)")
                #expect(body["user"]?["login"]?.stringValue == login)
                #expect(body["user"]?["permissions"]?["push"] == .bool(permission == "admin" || permission == "write"), "\(login)")
            }
            let unknown = try await forge.tokenRequest(.GET, "/repos/demo/hello/collaborators/nobody/permission", token: token)
            #expect(unknown.status == 404)
            #expect(try unknown.json()["documentation_url"] == "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user")

            // A person asks too: with push access (the 2018 recording's 403 otherwise).
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/collaborators/rae/permission", token: try forge.userToken("wes")).status == 200)
            let refused = try await forge.tokenRequest(.GET, "/repos/demo/hello/collaborators/wes/permission", token: try forge.userToken("rae"))
            #expect(refused.status == 403)
            #expect(try refused.json()["message"] == "Must have push access to view collaborator permission.")
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/collaborators/wes/permission", token: try forge.userToken("stranger")).status == 404)
        }
    }
}
