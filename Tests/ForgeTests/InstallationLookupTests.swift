import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("installation lookup")
struct InstallationLookupTests {
    static let notFoundBody: JSONValue = [
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app",
        "status": "404",
    ]

    /// Fields of the recorded real installation object (`testGetRepoInstallation.json`).
    static let recordedInstallationFields = [
        "id", "account", "repository_selection", "access_tokens_url", "repositories_url", "html_url", "app_id", "app_slug",
        "target_id", "target_type", "permissions", "events", "created_at", "updated_at", "single_file_name",
        "has_multiple_single_files", "single_file_paths", "suspended_by", "suspended_at", "client_id",
    ]

    @Test("repos/orgs/users installation lookups answer 200 with the full object, 404 where the App is not installed")
    func lookups() async throws {
        let setup = ForgeProcess.Setup(owners: ["acme"], repos: ["demo/hello"], uninstalledRepos: ["other/secret"])
        try await ForgeProcess.with(setup) { forge in
            let demoID = try #require(forge.installationIDs["demo"])

            let byRepo = try await forge.appRequest(.GET, "/repos/Demo/HELLO/installation")
            #expect(byRepo.status == 200)
            let installation = try byRepo.json()
            for field in Self.recordedInstallationFields {
                #expect(installation[field] != nil, "installation lacks \(field)")
            }
            #expect(installation["id"]?.intValue == demoID)
            #expect(installation["account"]?["login"] == "demo")
            #expect(installation["account"]?["type"] == "User")
            #expect(installation["app_id"]?.intValue == forge.appID)
            #expect(installation["repository_selection"] == "selected")
            #expect(installation["single_file_name"] == .null)
            #expect(installation["suspended_at"] == .null)
            #expect(installation["permissions"] == ["contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write"])
            #expect(installation["access_tokens_url"]?.stringValue == "\(forge.api)/app/installations/\(demoID)/access_tokens")
            #expect(installation["html_url"]?.stringValue == "\(forge.api)/settings/installations/\(demoID)")

            #expect(try await forge.appRequest(.GET, "/users/demo/installation").json()["id"]?.intValue == demoID)
            #expect(try await forge.appRequest(.GET, "/orgs/acme/installation").json()["id"]?.intValue == forge.installationIDs["acme"])
            #expect(try await forge.appRequest(.GET, "/app/installations/\(demoID)").json()["id"]?.intValue == demoID)
            let list = try await forge.appRequest(.GET, "/app/installations")
            #expect(list.status == 200)
            #expect(try list.json().arrayValue?.count == 2)

            for path in ["/repos/other/secret/installation", "/repos/demo/nope/installation", "/users/other/installation", "/orgs/nobody/installation"] {
                let reply = try await forge.appRequest(.GET, path)
                #expect(reply.status == 404, "\(path)")
                #expect(try reply.json() == Self.notFoundBody, "\(path)")
            }
            #expect(try await forge.appRequest(.GET, "/app/installations/999").status == 404)
            #expect(try await forge.stats().installationLookups == 7)

            // Unknown API routes answer GitHub's JSON 404.
            let unknown = try await forge.appRequest(.GET, "/no/such/route")
            #expect(unknown.status == 404)
            #expect(try unknown.json()["message"] == "Not Found")
        }
    }
}
