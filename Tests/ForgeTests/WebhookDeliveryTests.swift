import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

/// The forge delivers the App's webhook events as GitHub does, to a receiver that checks them
/// the way a bot must: signature over the raw body, headers, payload shape.
@Suite("webhook delivery")
struct WebhookDeliveryTests {
    static let secret = "It's a Secret to Everybody"

    static func setup(webhook receiver: RecordingHTTPServer?, secret: String? = WebhookDeliveryTests.secret) -> ForgeProcess.Setup {
        ForgeProcess.Setup(
            repos: ["demo/hello", "demo/world"], uninstalledRepos: ["other/secret"],
            collaborators: ["demo/hello:alice:write", "other/secret:alice:write"],
            issues: ["demo/hello:alice:Greeting", "other/secret:alice:Hidden"],
            webhookURL: receiver.map { "\($0.url)/webhooks/github" }, webhookSecret: receiver == nil ? nil : secret)
    }

    /// Runs `body` with a receiver and a forge delivering to it; both stopped afterwards.
    static func withReceiver(configured: Bool = true, _ body: (RecordingHTTPServer, ForgeProcess) async throws -> Void) async throws {
        let receiver = try await RecordingHTTPServer.start()
        do {
            try await ForgeProcess.with(setup(webhook: configured ? receiver : nil)) { forge in try await body(receiver, forge) }
            await receiver.stop()
        } catch {
            await receiver.stop()
            throw error
        }
    }

    @Test("a user's comment arrives signed, with GitHub's headers and the fixture's shape, and is listed as delivered")
    func userComment() async throws {
        try await Self.withReceiver { receiver, forge in
            let id = try await forge.comment(on: "demo/hello", issue: 1, body: "@netclode-forge fix this", as: "alice")
            let request = try #require(try await receiver.waitForRequests(1).first)
            #expect(request.method == "POST")
            #expect(request.uri == "/webhooks/github")
            #expect(request.header("X-GitHub-Event") == "issue_comment")
            let guid = try #require(request.header("X-GitHub-Delivery"))
            #expect(UUID(uuidString: guid) != nil)
            #expect(request.header("X-GitHub-Hook-ID") == String(400_000_000 + forge.appID))
            #expect(request.header("X-GitHub-Hook-Installation-Target-Type") == "integration")
            #expect(request.header("X-GitHub-Hook-Installation-Target-ID") == String(forge.appID))
            #expect(request.header("User-Agent")?.hasPrefix("GitHub-Hookshot/") == true)
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("X-Hub-Signature-256") == WebhookChecks.signature256(request.body, secret: Self.secret))
            #expect(request.header("X-Hub-Signature") == WebhookChecks.signature1(request.body, secret: Self.secret))
            #expect(request.header("X-Hub-Signature-256") != WebhookChecks.signature256(request.body, secret: "wrong"))

            let payload = try WebhookChecks.payload(request)
            try expectShape("issue_comment.created.with-installation.json", payload)
            #expect(payload["action"] as? String == "created")
            let comment = try #require(payload["comment"] as? [String: Any])
            #expect(comment["id"] as? Int == id)
            #expect(comment["body"] as? String == "@netclode-forge fix this")
            #expect((comment["user"] as? [String: Any])?["type"] as? String == "User")
            #expect(comment["performed_via_github_app"] is NSNull)
            #expect(comment["author_association"] as? String == "COLLABORATOR")
            #expect((payload["issue"] as? [String: Any])?["pull_request"] == nil)
            #expect((payload["sender"] as? [String: Any])?["login"] as? String == "alice")
            let installation = try #require(payload["installation"] as? [String: Any])
            #expect(installation["id"] as? Int == forge.installationIDs["demo"])
            #expect(installation["node_id"] is String)
            #expect((payload["repository"] as? [String: Any])?["full_name"] as? String == "demo/hello")

            let deliveries = try await forge.waitForDeliveries(count: 1)
            let delivery = try #require(deliveries.first)
            #expect(delivery.guid == guid)
            #expect(delivery.status == "OK")
            #expect(delivery.statusCode == 202)
            #expect(delivery.event == "issue_comment")
            #expect(delivery.action == "created")
            #expect(delivery.redelivery == false)
            #expect(delivery.installationId == forge.installationIDs["demo"])
            #expect(delivery.repositoryId != nil)

            // The App sees the same list with its JWT; one delivery in full, with the request sent.
            let listed = try await forge.appRequest(.GET, "/app/hook/deliveries")
            #expect(listed.status == 200)
            #expect(try listed.json().arrayValue?.first?["guid"]?.stringValue == guid)
            let full = try await forge.appRequest(.GET, "/app/hook/deliveries/\(delivery.id)")
            #expect(try full.json()["request"]?["headers"]?["X-GitHub-Delivery"]?.stringValue == guid)
            #expect(try full.json()["request"]?["payload"]?["comment"]?["id"]?.intValue == id)
            #expect(try await HTTP.send(.GET, forge.api + "/app/hook/deliveries").status == 401)
            #expect(!forge.logs().contains(Self.secret))
        }
    }

    @Test("the App's own comments (Bot, via the App), edits, issues, pull requests, PR comments and review comments")
    func everyEvent() async throws {
        try await Self.withReceiver { receiver, forge in
            let bot = try await forge.mint(owner: "demo", body: "")
            let botComment = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: bot, json: ["body": "Working on it…"])
            let botID = try #require(try botComment.json()["id"]?.intValue)
            _ = try await forge.tokenRequest(.PATCH, "/repos/demo/hello/issues/comments/\(botID)", token: bot, json: ["body": "Done."])
            _ = try await forge.openIssue("demo/hello", title: "Another", body: "@netclode-forge look", as: "alice")
            try await forge.pushCommit("demo/hello", branch: "feature", files: ["greeting.txt": "Hello\n"], message: "Add greeting")
            let pull = try await forge.openPullRequest("demo/hello", head: "feature", title: "Greeting", as: "alice")
            _ = try await forge.comment(on: "demo/hello", issue: pull, body: "@netclode-forge on the PR", as: "alice")
            _ = try await forge.reviewComment(on: "demo/hello", pull: pull, path: "greeting.txt", line: 1, body: "@netclode-forge here", as: "alice")
            // Not installed there: no delivery.
            _ = try await forge.comment(on: "other/secret", issue: 1, body: "@netclode-forge hidden", as: "alice")

            let requests = try await receiver.waitForRequests(6)
            _ = try await forge.waitForDeliveries(count: 6)
            #expect(receiver.requests.count == 6)
            var byKind: [String: [String: Any]] = [:]
            for request in requests {
                #expect(request.header("X-Hub-Signature-256") == WebhookChecks.signature256(request.body, secret: Self.secret))
                let payload = try WebhookChecks.payload(request)
                let kind = "\(request.header("X-GitHub-Event") ?? "?").\(payload["action"] as? String ?? "?")"
                let isPullComment = ((payload["issue"] as? [String: Any])?["pull_request"] as? [String: Any]) != nil
                byKind[kind + (isPullComment ? ".pr" : "")] = payload
                #expect((payload["repository"] as? [String: Any])?["full_name"] as? String == "demo/hello")
            }
            #expect(Set(byKind.keys) == ["issue_comment.created", "issue_comment.edited", "issues.opened", "pull_request.opened",
                                         "issue_comment.created.pr", "pull_request_review_comment.created"])

            let own = try #require(byKind["issue_comment.created"])
            let ownComment = try #require(own["comment"] as? [String: Any])
            let ownUser = try #require(ownComment["user"] as? [String: Any])
            #expect(ownUser["type"] as? String == "Bot")
            #expect(ownUser["login"] as? String == "netclode-forge[bot]")
            #expect((ownComment["performed_via_github_app"] as? [String: Any])?["id"] as? Int == forge.appID)
            #expect((own["sender"] as? [String: Any])?["type"] as? String == "Bot")

            let edited = try #require(byKind["issue_comment.edited"])
            #expect((((edited["changes"] as? [String: Any])?["body"]) as? [String: Any])?["from"] as? String == "Working on it…")
            #expect((edited["comment"] as? [String: Any])?["body"] as? String == "Done.")

            let prComment = try #require(byKind["issue_comment.created.pr"])
            let prIssue = try #require(prComment["issue"] as? [String: Any])
            #expect((prIssue["pull_request"] as? [String: Any])?["url"] as? String == "\(forge.api)/repos/demo/hello/pulls/\(pull)")

            try expectShape("issues.opened.json", try #require(byKind["issues.opened"]))
            try expectShape("pull_request.opened.json", try #require(byKind["pull_request.opened"]))
            let review = try #require(byKind["pull_request_review_comment.created"])
            try expectShape("pull_request_review_comment.created.json", review)
            let reviewComment = try #require(review["comment"] as? [String: Any])
            #expect(try #require(reviewComment["id"] as? Int) > 2_000_000_000)
            #expect((review["pull_request"] as? [String: Any])?["number"] as? Int == pull)
            #expect((byKind["pull_request.opened"]?["pull_request"] as? [String: Any])?["draft"] as? Bool == false)
        }
    }

    @Test("a failed delivery is recorded and not retried; redelivery resends the same GUID and body, signed")
    func failureAndRedelivery() async throws {
        try await Self.withReceiver { receiver, forge in
            receiver.answer(500)
            _ = try await forge.comment(on: "demo/hello", issue: 1, body: "first", as: "alice")
            let failed = try #require(try await forge.waitForDeliveries(count: 1).first)
            #expect(failed.status == "Invalid HTTP Response: 500")
            #expect(failed.statusCode == 500)
            let failures = try await forge.appRequest(.GET, "/app/hook/deliveries?status=failure")
            #expect(try failures.json().arrayValue?.count == 1)

            receiver.answer(202)
            let attempt = try await forge.appRequest(.POST, "/app/hook/deliveries/\(failed.id)/attempts")
            #expect(attempt.status == 202)
            let after = try await forge.waitForDeliveries(count: 2)
            #expect(after[0].redelivery == true)
            #expect(after[0].guid == failed.guid)
            #expect(after[0].status == "OK")
            #expect(after[0].id != failed.id)

            _ = try await forge.comment(on: "demo/hello", issue: 1, body: "second", as: "alice")
            let requests = try await receiver.waitForRequests(3)
            _ = try await forge.waitForDeliveries(count: 3)
            // Exactly three: the failed attempt was not retried behind our back.
            #expect(receiver.requests.count == 3)
            #expect(requests[0].header("X-GitHub-Delivery") == requests[1].header("X-GitHub-Delivery"))
            #expect(requests[0].body == requests[1].body)
            #expect(requests[1].header("X-Hub-Signature-256") == WebhookChecks.signature256(requests[1].body, secret: Self.secret))
            #expect(requests[2].header("X-GitHub-Delivery") != requests[0].header("X-GitHub-Delivery"))

            #expect(try await forge.appRequest(.POST, "/app/hook/deliveries/123/attempts").status == 404)
            #expect(try await forge.appRequest(.GET, "/app/hook/deliveries/123").status == 404)

            // A receiver that does not answer at all: status_code 0.
            let closed = try ClosedPort()
            try await forge.setWebhook(url: "http://127.0.0.1:\(closed.port)/hook", secret: Self.secret)
            let unreachable = try #require(try await forge.waitForDeliveries(count: 4).first)
            #expect(unreachable.event == "ping")
            #expect(unreachable.statusCode == 0)
            #expect(unreachable.status != "OK")
        }
    }

    @Test("set at runtime: a ping, the secret kept 0600 and never shown; unsigned without a secret; installation changes; removal")
    func runtimeConfiguration() async throws {
        try await Self.withReceiver(configured: false) { receiver, forge in
            _ = try await forge.comment(on: "demo/hello", issue: 1, body: "before any hook", as: "alice")
            #expect(try await forge.webhookDeliveries().isEmpty)

            try await forge.setWebhook(url: "\(receiver.url)/hook", secret: "runtime-secret")
            let ping = try #require(try await receiver.waitForRequests(1).first)
            #expect(ping.header("X-GitHub-Event") == "ping")
            #expect(ping.header("X-Hub-Signature-256") == WebhookChecks.signature256(ping.body, secret: "runtime-secret"))
            let pingPayload = try WebhookChecks.payload(ping)
            #expect(pingPayload["hook_id"] as? Int == 400_000_000 + forge.appID)
            #expect((pingPayload["hook"] as? [String: Any])?["app_id"] as? Int == forge.appID)
            #expect((pingPayload["hook"] as? [String: Any])?["type"] as? String == "App")

            let status = try await HTTP.send(.GET, forge.api + "/_forge/webhook")
            #expect(!status.text.contains("runtime-secret"))
            #expect(try status.json()["signed"] == true)
            #expect(try status.json()["url"]?.stringValue == "\(receiver.url)/hook")
            let file = forge.dataDirectory.appendingPathComponent("webhook.json").path
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(try await HTTP.send(.PUT, forge.api + "/_forge/webhook", body: #"{"url":"ftp://x"}"#).status == 422)

            try await forge.changeInstallationRepositories(try #require(forge.installationIDs["demo"]), remove: ["demo/world"])
            let removed = try await receiver.waitForRequests(2)[1]
            #expect(removed.header("X-GitHub-Event") == "installation_repositories")
            #expect(try WebhookChecks.payload(removed)["action"] as? String == "removed")
            try await forge.changeInstallationRepositories(try #require(forge.installationIDs["demo"]), add: ["demo/world"])
            let added = try WebhookChecks.payload(try await receiver.waitForRequests(3)[2])
            #expect(added["action"] as? String == "added")
            try expectShape("installation_repositories.added.json", added)
            #expect(((added["repositories_added"] as? [[String: Any]])?.first)?["full_name"] as? String == "demo/world")

            try await forge.setWebhook(url: "\(receiver.url)/unsigned", secret: nil)
            let unsigned = try await receiver.waitForRequests(4)[3]
            #expect(unsigned.uri == "/unsigned")
            #expect(unsigned.header("X-Hub-Signature-256") == nil)
            #expect(unsigned.header("X-Hub-Signature") == nil)

            try await forge.removeWebhook()
            _ = try await forge.waitForDeliveries(count: 4)
            _ = try await forge.comment(on: "demo/hello", issue: 1, body: "after the hook", as: "alice")
            #expect(try await forge.webhookDeliveries().count == 4)
            #expect(!forge.logs().contains("runtime-secret"))
        }
    }

    @Test("/_forge/stats still counts mints and revocations; user-token calls mint nothing")
    func statsStillCount() async throws {
        try await Self.withReceiver { _, forge in
            _ = try await forge.comment(on: "demo/hello", issue: 1, body: "as a user", as: "alice")
            #expect(try await forge.stats().mints == 0)
            let token = try await forge.mint(owner: "demo", body: "")
            _ = try await forge.tokenRequest(.POST, "/repos/demo/hello/issues/1/comments", token: token, json: ["body": "as the App"])
            #expect(try await forge.tokenRequest(.DELETE, "/installation/token", token: token).status == 204)
            let stats = try await forge.stats()
            #expect(stats.mints == 1)
            #expect(stats.revocations == 1)
            #expect(stats.mintsByInstallation[String(try #require(forge.installationIDs["demo"]))] == 1)
        }
    }
}

/// Every key of GitHub's example payload `fixture` is in `payload` (the missing ones are named).
private func expectShape(_ fixture: String, _ payload: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let missing = try WebhookChecks.missingKeys(fixture: fixture, in: payload)
    #expect(missing.isEmpty, "\(fixture): missing \(missing)", sourceLocation: sourceLocation)
}
