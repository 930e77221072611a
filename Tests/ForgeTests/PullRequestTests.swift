import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("pull requests, compare and refs")
struct PullRequestTests {
    static let setup = ForgeProcess.Setup(
        repos: ["demo/hello"], forks: ["alice/hello=demo/hello"],
        collaborators: ["demo/hello:alice:write", "demo/hello:rita:read"], issues: ["demo/hello:alice:Greeting"])

    @Test("open: 201 numbered after the issues, with the pushed head; GitHub's 422s; list and get")
    func openAndList() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let head = try await forge.pushCommit("demo/hello", branch: "netclode/1-greeting", files: ["greeting.txt": "Hello, Netclode!\n"],
                                                  message: "Add a greeting")
            let token = try await forge.mint(owner: "demo", body: #"{"repositories":["hello"],"permissions":{"pull_requests":"write"}}"#)
            let opened = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: token, json: [
                "title": "Add a greeting", "head": "netclode/1-greeting", "base": "main", "body": "Fixes #1", "draft": true,
            ])
            #expect(opened.status == 201, "\(opened.text)")
            let pull = try opened.json()
            #expect(pull["number"] == 2)
            #expect(opened.header("Location") == "\(forge.api)/repos/demo/hello/pulls/2")
            #expect(pull["html_url"]?.stringValue == "\(forge.api)/demo/hello/pull/2")
            #expect(pull["state"] == "open")
            #expect(pull["draft"] == true)
            #expect(pull["user"]?["login"] == "netclode-forge[bot]")
            #expect(pull["user"]?["type"] == "Bot")
            #expect(pull["head"]?["ref"] == "netclode/1-greeting")
            #expect(pull["head"]?["sha"]?.stringValue == head)
            #expect(pull["head"]?["label"] == "demo:netclode/1-greeting")
            #expect(pull["head"]?["repo"]?["full_name"] == "demo/hello")
            #expect(pull["base"]?["ref"] == "main")
            #expect(pull["base"]?["repo"]?["full_name"] == "demo/hello")
            #expect(pull["commits"] == 1)
            #expect(pull["additions"] == 1)
            #expect(pull["changed_files"] == 1)
            #expect(try #require(pull["id"]?.intValue) > 4_000_000_000)
            #expect(try await forge.bareRef("demo/hello", "refs/pull/2/head") == head)

            // The pull request is also issue 2, with `pull_request` set.
            let asIssue = try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/2", token: try forge.userToken("alice"))
            #expect(try asIssue.json()["pull_request"]?["html_url"]?.stringValue == "\(forge.api)/demo/hello/pull/2")
            #expect(try asIssue.json()["body"] == "Fixes #1")

            let duplicate = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: token,
                                                         json: ["title": "Again", "head": "netclode/1-greeting", "base": "main"])
            #expect(duplicate.status == 422)
            #expect(try duplicate.json()["message"] == "Validation Failed")
            #expect(try duplicate.json()["errors"] == [["resource": "PullRequest", "code": "custom",
                                                        "message": "A pull request already exists for demo:netclode/1-greeting."]])

            try await Git.check(["update-ref", "refs/heads/empty", "refs/heads/main"], in: forge.bareRepository("demo/hello"))
            let empty = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: token, json: ["title": "Empty", "head": "empty", "base": "main"])
            #expect(empty.status == 422)
            #expect(try empty.json()["errors"]?.arrayValue?.first?["message"] == "No commits between main and empty")

            let noHead = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: token, json: ["title": "x", "head": "nope", "base": "main"])
            #expect(noHead.status == 422)
            #expect(try noHead.json()["errors"] == [["resource": "PullRequest", "code": "invalid", "field": "head"]])
            let noBase = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: token,
                                                      json: ["title": "x", "head": "netclode/1-greeting", "base": "nope"])
            #expect(try noBase.json()["errors"] == [["resource": "PullRequest", "code": "invalid", "field": "base"]])
            let noTitle = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: token, json: ["head": "empty", "base": "main"])
            #expect(noTitle.status == 422)

            let listed = try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls?state=open&head=demo:netclode/1-greeting", token: token)
            #expect(listed.status == 200)
            #expect(try listed.json().arrayValue?.map { $0["number"] } == [2])
            let none = try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls?state=open&head=demo:other", token: token)
            #expect(try none.json() == [])
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls?state=closed", token: token).json() == [])

            // A later push moves the head the API reports.
            let second = try await forge.pushCommit("demo/hello", branch: "netclode/1-greeting", base: "netclode/1-greeting",
                                                    files: ["greeting.txt": "Hello again!\n"], message: "Reword")
            let got = try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls/2", token: token)
            #expect(try got.json()["head"]?["sha"]?.stringValue == second)
            #expect(try got.json()["commits"] == 2)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls/1", token: token).status == 404)
        }
    }

    @Test("a pull request from a fork records the fork as its head repository")
    func fromFork() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            #expect(forge.forks == ["alice/hello=demo/hello"])
            let sha = try await forge.pushCommitToBare("alice/hello", branch: "fix", files: ["fix.txt": "fixed\n"], message: "Fix it")
            let alice = try forge.userToken("alice")
            let opened = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: alice,
                                                      json: ["title": "Fix from my fork", "head": "alice:fix", "base": "main"])
            #expect(opened.status == 201, "\(opened.text)")
            let pull = try opened.json()
            #expect(pull["user"]?["login"] == "alice")
            #expect(pull["head"]?["label"] == "alice:fix")
            #expect(pull["head"]?["sha"]?.stringValue == sha)
            #expect(pull["head"]?["repo"]?["full_name"] == "alice/hello")
            #expect(pull["head"]?["repo"]?["fork"] == true)
            #expect(pull["base"]?["repo"]?["full_name"] == "demo/hello")
            #expect(pull["base"]?["repo"]?["fork"] == false)
            #expect(pull["commits"] == 1)
            let number = try #require(pull["number"]?.intValue)
            // GitHub keeps a fork's commits in the base repository as refs/pull/N/head.
            #expect(try await forge.bareRef("demo/hello", "refs/pull/\(number)/head") == sha)
            #expect(try await Git.run(["for-each-ref", "refs/forge"], in: forge.bareRepository("demo/hello")).stdout.isEmpty)

            let unknownFork = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls", token: alice,
                                                           json: ["title": "x", "head": "rita:fix", "base": "main"])
            #expect(unknownFork.status == 422)
        }
    }

    @Test("compare after real pushes: ahead, then diverged; 404 for an unknown ref; contents: read needed")
    func compare() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let head = try await forge.pushCommit("demo/hello", branch: "topic", files: ["a.txt": "a\nb\n"], message: "Add a.txt\n\nWith two lines.")
            let token = try await forge.mint(owner: "demo", body: #"{"permissions":{"contents":"read"}}"#)
            let ahead = try await forge.tokenRequest(.GET, "/repos/demo/hello/compare/main...topic", token: token)
            #expect(ahead.status == 200, "\(ahead.text)")
            let body = try ahead.json()
            #expect(body["status"] == "ahead")
            #expect(body["ahead_by"] == 1)
            #expect(body["behind_by"] == 0)
            #expect(body["total_commits"] == 1)
            let commit = try #require(body["commits"]?.arrayValue?.first)
            #expect(commit["sha"]?.stringValue == head)
            #expect(commit["commit"]?["message"] == "Add a.txt\n\nWith two lines.")
            #expect(commit["commit"]?["author"]?["name"] == "Netclode Test")
            #expect(commit["commit"]?["author"]?["email"] == "test@netclode.invalid")
            #expect(commit["commit"]?["committer"]?["email"] == "test@netclode.invalid")
            #expect(body["files"]?.arrayValue?.first?["filename"] == "a.txt")
            #expect(body["files"]?.arrayValue?.first?["additions"] == 2)

            try await forge.pushCommit("demo/hello", branch: "main", files: ["b.txt": "b\n"], message: "Add b.txt")
            let diverged = try await forge.tokenRequest(.GET, "/repos/demo/hello/compare/main...topic", token: token).json()
            #expect(diverged["status"] == "diverged")
            #expect(diverged["ahead_by"] == 1)
            #expect(diverged["behind_by"] == 1)
            let identical = try await forge.tokenRequest(.GET, "/repos/demo/hello/compare/topic...\(head)", token: token).json()
            #expect(identical["status"] == "identical")

            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/compare/main...nope", token: token).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/compare/main..topic", token: token).status == 404)
            let issuesOnly = try await forge.mint(owner: "demo", body: #"{"permissions":{"issues":"write"}}"#)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/compare/main...topic", token: issuesOnly).status == 403)
        }
    }

    @Test("refs: get, delete 204 (a branch with a slash too), then 422 Reference does not exist; users need push access")
    func deleteRefs() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            let sha = try await forge.pushCommit("demo/hello", branch: "netclode/7-empty", files: [:], message: "empty")
            let token = try await forge.mint(owner: "demo", body: #"{"permissions":{"contents":"write"}}"#)
            let ref = try await forge.tokenRequest(.GET, "/repos/demo/hello/git/ref/heads/netclode/7-empty", token: token)
            #expect(ref.status == 200)
            #expect(try ref.json()["object"]?["sha"]?.stringValue == sha)
            #expect(try ref.json()["ref"] == "refs/heads/netclode/7-empty")

            let deleted = try await forge.tokenRequest(.DELETE, "/repos/demo/hello/git/refs/heads/netclode/7-empty", token: token)
            #expect(deleted.status == 204)
            #expect(try await forge.bareRef("demo/hello", "refs/heads/netclode/7-empty") == nil)
            let again = try await forge.tokenRequest(.DELETE, "/repos/demo/hello/git/refs/heads/netclode/7-empty", token: token)
            #expect(again.status == 422)
            #expect(try again.json()["message"] == "Reference does not exist")
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/git/ref/heads/netclode/7-empty", token: token).status == 404)

            try await forge.pushCommit("demo/hello", branch: "doomed", files: [:], message: "doomed")
            #expect(try await forge.tokenRequest(.DELETE, "/repos/demo/hello/git/refs/heads/doomed", token: try forge.userToken("rita")).status == 403)
            #expect(try await forge.tokenRequest(.DELETE, "/repos/demo/hello/git/refs/heads/doomed", token: try forge.userToken("alice")).status == 204)
        }
    }

    @Test("review comments: their own id range, replies to top-level comments only, diff context from git")
    func reviewComments() async throws {
        try await ForgeProcess.with(Self.setup) { forge in
            try await forge.pushCommit("demo/hello", branch: "feature", files: ["greeting.txt": "Hello\n"], message: "Add greeting")
            let alice = try forge.userToken("alice")
            let pull = try await forge.openPullRequest("demo/hello", head: "feature", title: "Greeting", as: "alice")

            let created = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls/\(pull)/comments", token: alice,
                                                       json: ["body": "@netclode-forge shorter please", "path": "greeting.txt", "line": 1])
            #expect(created.status == 201, "\(created.text)")
            let comment = try created.json()
            let id = try #require(comment["id"]?.intValue)
            #expect((2_000_000_001..<3_000_000_000).contains(id))
            #expect(comment["path"] == "greeting.txt")
            #expect(comment["line"] == 1)
            #expect(comment["diff_hunk"]?.stringValue?.contains("+Hello") == true)
            #expect(comment["pull_request_url"]?.stringValue == "\(forge.api)/repos/demo/hello/pulls/\(pull)")
            #expect(comment["html_url"]?.stringValue == "\(forge.api)/demo/hello/pull/\(pull)#discussion_r\(id)")
            #expect(comment["user"]?["type"] == "User")
            #expect(comment["in_reply_to_id"] == nil)

            // Review comment ids are not issue comment ids.
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/issues/comments/\(id)", token: alice).status == 404)
            #expect(try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls/comments/\(id)", token: alice).status == 200)

            let token = try await forge.mint(owner: "demo", body: "")
            let reply = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls/\(pull)/comments/\(id)/replies", token: token,
                                                     json: ["body": "Working on it"])
            #expect(reply.status == 201, "\(reply.text)")
            let replyID = try #require(try reply.json()["id"]?.intValue)
            #expect(try reply.json()["in_reply_to_id"]?.intValue == id)
            #expect(try reply.json()["path"] == "greeting.txt")
            #expect(try reply.json()["user"]?["type"] == "Bot")
            let toReply = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls/\(pull)/comments/\(replyID)/replies", token: token,
                                                       json: ["body": "nested"])
            #expect(toReply.status == 404)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls/\(pull)/comments/1000000001/replies", token: token,
                                                 json: ["body": "issue comment id"]).status == 404)
            let list = try await forge.tokenRequest(.GET, "/repos/demo/hello/pulls/\(pull)/comments", token: token)
            #expect(try list.json().arrayValue?.count == 2)

            let badPath = try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls/\(pull)/comments", token: alice,
                                                       json: ["body": "x", "path": "not-in-the-diff.txt", "line": 1])
            #expect(badPath.status == 422)
            #expect(try await forge.tokenRequest(.POST, "/repos/demo/hello/pulls/1/comments", token: alice,
                                                 json: ["body": "x", "path": "greeting.txt"]).status == 404)
        }
    }
}
