import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("reactions")
struct ReactionTests {
    static let setup = ForgeProcess.Setup(repos: ["demo/hello"], collaborators: ["demo/hello:alice:write"], issues: ["demo/hello:alice:Greeting"])

    @Test("on an issue comment, an issue and a review comment: 201 once, 200 when the same actor repeats, 422 for unknown content")
    func createAndRepeat() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let alice = try forge.userToken("alice")
            let bot = try await forge.mint(owner: "demo", body: #"{"permissions":{"issues":"write","pull_requests":"write"}}"#)
            let commentID = try await forge.comment(on: "demo/hello", issue: 1, body: "@netclode-forge go", as: "alice")
            let path = "/repos/demo/hello/issues/comments/\(commentID)/reactions"

            let first = try await forge.tokenRequest(.POST, path, token: bot, json: ["content": "eyes"])
            #expect(first.status == 201)
            let reaction = try first.json()
            #expect(reaction["content"] == "eyes")
            #expect(reaction["user"]?["login"] == "netclode-forge[bot]")
            #expect(reaction["user"]?["type"] == "Bot")
            let again = try await forge.tokenRequest(.POST, path, token: bot, json: ["content": "eyes"])
            #expect(again.status == 200)
            #expect(try again.json()["id"] == reaction["id"])
            #expect(try await forge.tokenRequest(.POST, path, token: alice, json: ["content": "eyes"]).status == 201)
            #expect(try await forge.tokenRequest(.POST, path, token: bot, json: ["content": "rocket"]).status == 201)

            let invalid = try await forge.tokenRequest(.POST, path, token: bot, json: ["content": "smile"])
            #expect(invalid.status == 422)
            #expect(try invalid.json()["errors"]?.arrayValue?.first?["field"] == "content")
            #expect(try await forge.tokenRequest(.POST, path, token: bot, json: [:]).status == 422)

            let all = try await forge.tokenRequest(.GET, path, token: alice)
            #expect(try all.json().arrayValue?.count == 3)
            let eyes = try await forge.tokenRequest(.GET, path + "?content=eyes", token: alice)
            #expect(try eyes.json().arrayValue?.map { $0["user"]?["login"] } == ["netclode-forge[bot]", "alice"])
            let rollup = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/comments/\(commentID)", token: alice).json()["reactions"]
            #expect(rollup?["total_count"] == 3)
            #expect(rollup?["eyes"] == 2)
            #expect(rollup?["rocket"] == 1)

            let onIssue = "/repos/demo/hello/issues/1/reactions"
            #expect(try await forge.tokenRequest(.POST, onIssue, token: bot, json: ["content": "+1"]).status == 201)
            #expect(try await forge.tokenRequest(.POST, onIssue, token: bot, json: ["content": "+1"]).status == 200)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/1", token: alice).json()["reactions"]?["+1"] == 1)

            try await forge.pushCommit("demo/hello", branch: "feature", files: ["greeting.txt": "Hello\n"], message: "Add greeting")
            let pull = try await forge.openPullRequest("demo/hello", head: "feature", title: "Greeting", as: "alice")
            let reviewID = try await forge.reviewComment(on: "demo/hello", pull: pull, path: "greeting.txt", line: 1, body: "@netclode-forge", as: "alice")
            let onReview = "/repos/demo/hello/pulls/comments/\(reviewID)/reactions"
            #expect(try await forge.tokenRequest(.POST, onReview, token: bot, json: ["content": "eyes"]).status == 201)
            #expect(try await forge.tokenRequest(.POST, onReview, token: bot, json: ["content": "eyes"]).status == 200)
            // The namespaces stay apart: a review comment id on the issue-comment endpoint is unknown.
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/comments/\(reviewID)/reactions", token: bot,
                                                 json: ["content": "eyes"]).status == 404)
            let issuesOnly = try await forge.mint(owner: "demo", body: #"{"permissions":{"issues":"write"}}"#)
            #expect(try await forge.tokenRequest(.POST, onReview, token: issuesOnly, json: ["content": "heart"]).status == 403)
        }
    }
}
