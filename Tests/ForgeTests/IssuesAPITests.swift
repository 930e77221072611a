import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("issues and issue comments")
struct IssuesAPITests {
    static let setup = ForgeProcess.Setup(
        repos: ["demo/hello"], users: ["outsider"],
        collaborators: ["demo/hello:alice:write", "demo/hello:rita:read"],
        issues: ["demo/hello:alice:Seeded: the greeting is missing"])

    @Test("a user opens an issue (numbered after the seeded one), reads it, and a stranger cannot see the repository")
    func openAndGetIssue() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let alice = try forge.userToken("alice")
            #expect(alice.hasPrefix("ghu_") && alice.count == 40)
            let seeded = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: alice)
            #expect(seeded.status == 200)
            #expect(try seeded.json()["title"] == "Seeded: the greeting is missing")

            let created = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues", token: alice,
                                                       json: ["title": "Say hello to Netclode", "body": "Please."])
            #expect(created.status == 201, "\(created.text)")
            let issue = try created.json()
            #expect(issue["number"] == 2)
            #expect(created.header("Location") == "\(forge.api)/repos/demo/hello/issues/2")
            #expect(issue["html_url"]?.stringValue == "\(forge.api)/demo/hello/issues/2")
            #expect(issue["user"]?["login"] == "alice")
            #expect(issue["user"]?["type"] == "User")
            #expect(issue["author_association"] == "COLLABORATOR")
            #expect(issue["performed_via_github_app"] == .null)
            #expect(issue["pull_request"] == nil)
            #expect(issue["state"] == "open")
            #expect(try #require(issue["id"]?.intValue) > 3_000_000_000)

            let fetched = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/2", token: alice)
            #expect(fetched.status == 200)
            #expect(try fetched.json()["body"] == "Please.")
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/99", token: alice).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/abc", token: alice).status == 404)

            // Errors: no title, a blank title, JSON that is not an object, a body over the limit.
            let noTitle = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues", token: alice, json: ["body": "x"])
            #expect(noTitle.status == 422)
            #expect(try noTitle.json()["message"] == "Invalid request.\n\n\"title\" wasn't supplied.")
            let blank = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues", token: alice, json: ["title": "  "])
            #expect(blank.status == 422)
            #expect(try blank.json()["errors"]?.arrayValue?.first?["code"] == "missing_field")
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues", token: alice, body: "[1]").status == 400)
            let long = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues", token: alice,
                                                    json: ["title": "t", "body": .string(String(repeating: "x", count: 65_537))])
            #expect(long.status == 422)
            #expect(try long.json()["errors"]?.arrayValue?.first?["message"] == "body is too long (maximum is 65536 characters)")

            // The repository as each person sees it; it does not exist for a user without a role.
            let repository = try await forge.tokenRequest(.GET, "/repos/demo/hello", token: alice)
            #expect(repository.status == 200)
            #expect(try repository.json()["permissions"]?["push"] == true)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello", token: try forge.userToken("rita")).json()["permissions"]?["push"] == false)
            let outsider = try forge.userToken("outsider")
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello", token: outsider).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: outsider).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: "ghu_" + String(repeating: "a", count: 36)).status == 401)
        }
    }

    @Test("comments: a user's and the App's are told apart; edit, get, list with pages; GitHub's errors")
    func comments() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let alice = try forge.userToken("alice")
            let byAlice = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: alice,
                                                       json: ["body": "@netclode-forge fix this"])
            #expect(byAlice.status == 201, "\(byAlice.text)")
            let comment = try byAlice.json()
            let aliceID = try #require(comment["id"]?.intValue)
            #expect((1_000_000_001..<2_000_000_000).contains(aliceID))
            #expect(byAlice.header("Location") == "\(forge.api)/repos/demo/hello/issues/comments/\(aliceID)")
            #expect(comment["html_url"]?.stringValue == "\(forge.api)/demo/hello/issues/1#issuecomment-\(aliceID)")
            #expect(comment["issue_url"]?.stringValue == "\(forge.api)/repos/demo/hello/issues/1")
            #expect(comment["user"]?["login"] == "alice")
            #expect(comment["user"]?["type"] == "User")
            #expect(comment["performed_via_github_app"] == .null)
            #expect(comment["author_association"] == "COLLABORATOR")
            #expect(comment["reactions"]?["total_count"] == 0)

            let token = try await forge.mint(owner: "demo", body: "")
            let byBot = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: token, json: ["body": "Working on it…"])
            #expect(byBot.status == 201)
            let botComment = try byBot.json()
            let botID = try #require(botComment["id"]?.intValue)
            #expect(botComment["user"]?["login"] == "netclode-forge[bot]")
            #expect(botComment["user"]?["type"] == "Bot")
            #expect(botComment["user"]?["id"]?.intValue == 100_000_000 + forge.appID)
            #expect(botComment["performed_via_github_app"]?["slug"] == "netclode-forge")
            #expect(botComment["performed_via_github_app"]?["id"]?.intValue == forge.appID)
            #expect(botComment["author_association"] == "NONE")

            let edited = try await forge.tokenRequest(.PATCH, "/repos/demo/hello/issues/comments/\(botID)", token: token, json: ["body": "Done."])
            #expect(edited.status == 200)
            #expect(try edited.json()["body"] == "Done.")
            let got = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/comments/\(botID)", token: alice)
            #expect(try got.json()["body"] == "Done.")
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/comments/999", token: alice).status == 404)

            // A reader may comment; a reader may not edit someone else's comment.
            let rita = try forge.userToken("rita")
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: rita, json: ["body": "+1"]).status == 201)
            let ritaEdits = try await forge.tokenRequest(.PATCH, "/repos/demo/hello/issues/comments/\(aliceID)", token: rita, json: ["body": "x"])
            #expect(ritaEdits.status == 403)

            let list = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1/comments", token: alice)
            #expect(try list.json().arrayValue?.map { $0["id"]?.intValue } == [aliceID, botID, botID + 1])
            let page = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1/comments?per_page=2", token: alice)
            #expect(try page.json().arrayValue?.count == 2)
            #expect(page.header("Link")?.contains("rel=\"next\"") == true)
            let issue = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: alice)
            #expect(try issue.json()["comments"] == 3)

            // GitHub's limit: 65,536 characters is fine, one more is 422 (create and edit word it differently).
            let atLimit = String(repeating: "é", count: 65_536)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: alice, json: ["body": .string(atLimit)]).status == 201)
            let tooLong = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: alice,
                                                       json: ["body": .string(atLimit + "x")])
            #expect(tooLong.status == 422)
            #expect(try tooLong.json()["errors"] == [["resource": "IssueComment", "code": "unprocessable", "field": "data",
                                                      "message": "Body is too long (maximum is 65536 characters)"]])
            #expect(try tooLong.json()["documentation_url"] == "https://docs.github.com/rest/issues/comments#create-an-issue-comment")
            let editTooLong = try await forge.tokenRequest(.PATCH, "/repos/demo/hello/issues/comments/\(aliceID)", token: alice,
                                                           json: ["body": .string(atLimit + "x")])
            #expect(editTooLong.status == 422)
            #expect(try editTooLong.json()["errors"]?.arrayValue?.first?["message"] == "body is too long (maximum is 65536 characters)")

            let noBody = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: alice, json: [:])
            #expect(noBody.status == 422)
            #expect(try noBody.json()["message"] == "Invalid request.\n\n\"body\" wasn't supplied.")
            let wrongType = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: alice, json: ["body": 5])
            #expect(wrongType.status == 422)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: alice, body: "{nope").status == 400)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/7/comments", token: alice, json: ["body": "x"]).status == 404)
        }
    }
}
