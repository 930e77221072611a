import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

/// An installation token reaches only its repositories (404 elsewhere) and does only what its
/// permissions allow (403 `Resource not accessible by integration`), endpoint by endpoint.
@Suite("installation token permissions on issues and pull requests")
struct IntegrationPermissionTests {
    static let setup = ForgeProcess.Setup(repos: ["demo/hello", "demo/world"], collaborators: ["demo/hello:alice:write"],
                                          issues: ["demo/hello:alice:An issue"])

    @Test("403 without the permission, 404 outside the token's repositories, 401 for a revoked token")
    func forbiddenAndHidden() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let contentsOnly = try await forge.mint(owner: "demo", body: #"{"permissions":{"contents":"read"}}"#)
            let comment = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: contentsOnly, json: ["body": "hi"])
            #expect(comment.status == 403)
            #expect(try comment.json() == [
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
                "status": "403",
            ])
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: contentsOnly).status == 403)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues", token: contentsOnly, json: ["title": "x"]).status == 403)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls", token: contentsOnly).status == 403)
            #expect(try await forge.tokenRequest(.DELETE, "/repos/demo/hello/git/refs/heads/main", token: contentsOnly).status == 403)
            #expect(try await forge.bareRef("demo/hello", "refs/heads/main") != nil)

            // Reading issues is not writing them.
            let issuesRead = try await forge.mint(owner: "demo", body: #"{"permissions":{"issues":"read"}}"#)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: issuesRead).status == 200)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: issuesRead, json: ["body": "x"]).status == 403)

            // A token for demo/world does not see demo/hello at all.
            let worldOnly = try await forge.mint(owner: "demo", body: #"{"repositories":["world"]}"#)
            let hidden = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: worldOnly, json: ["body": "hi"])
            #expect(hidden.status == 404)
            #expect(try hidden.json()["message"] == "Not Found")
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/collaborators/alice/permission", token: worldOnly).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/world/collaborators/alice/permission", token: worldOnly).status == 200)

            let revoked = try await forge.mint(owner: "demo", body: "")
            #expect(try await forge.tokenRequest(.DELETE, "/installation/token", token: revoked).status == 204)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: revoked).status == 401)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: "").status == 401)
        }
    }

    @Test("a pull request's conversation takes issues or pull_requests; a plain issue takes issues only")
    func pullRequestConversation() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            try await forge.pushCommit("demo/hello", branch: "feature", files: ["NOTES.md": "notes\n"], message: "Add notes")
            let pullsOnly = try await forge.mint(owner: "demo", body: #"{"permissions":{"pull_requests":"write"}}"#)
            let issuesOnly = try await forge.mint(owner: "demo", body: #"{"permissions":{"issues":"write"}}"#)

            let refused = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: issuesOnly,
                                                       json: ["title": "Notes", "head": "feature", "base": "main"])
            #expect(refused.status == 403)
            #expect(try refused.json()["message"] == "Resource not accessible by integration")
            let opened = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: pullsOnly,
                                                      json: ["title": "Notes", "head": "feature", "base": "main"])
            #expect(opened.status == 201, "\(opened.text)")
            let number = try #require(try opened.json()["number"]?.intValue)
            #expect(number == 2)

            for token in [pullsOnly, issuesOnly] {
                let reply = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/\(number)/comments", token: token, json: ["body": "ok"])
                #expect(reply.status == 201)
            }
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: pullsOnly, json: ["body": "no"]).status == 403)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: issuesOnly, json: ["body": "yes"]).status == 201)
        }
    }
}
