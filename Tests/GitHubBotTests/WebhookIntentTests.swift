import Foundation
@testable import GitHubBot
import GitHubApp
import Testing

/// GitHub's real example payloads, edited the way deliveries differ, read into what the bot does.
@Suite("webhook intents: who and what triggers a run")
struct WebhookIntentTests {
    let mention = Mention(handle: "netclode")

    func intent(_ event: String, _ fixture: WebhookFixture) throws -> WebhookIntent {
        let payload = try JSONDecoder().decode(WebhookPayload.self, from: fixture.body)
        return WebhookIntent.of(event: event, payload: payload, mention: mention)
    }

    var comment: WebhookFixture {
        get throws { try WebhookFixture("issue_comment.created.with-installation").with("comment.body", "@netclode please fix the typo") }
    }

    @Test("an issue comment mentioning the bot is a run, with the mention taken out of the request")
    func issueComment() throws {
        guard case .run(let trigger) = try intent("issue_comment", comment) else { Issue.record("not a run"); return }
        #expect(trigger.repository.fullName == "Codertocat/Hello-World")
        #expect(trigger.installationID == 1)
        #expect(trigger.number == 1 && !trigger.isPullRequest)
        #expect(trigger.sender == "Codertocat")
        #expect(trigger.request == "please fix the typo")
        #expect(trigger.key == "codertocat/hello-world:issue_comment:492700400")
        #expect(trigger.conversation == "codertocat/hello-world#1")
        #expect(trigger.reactionTarget == .issueComment(id: 492700400))
    }

    @Test("a comment on a pull request, a review comment and an opened issue are runs too")
    func otherTriggers() throws {
        let onPull = try comment.with("issue.pull_request", ["url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"])
        guard case .run(let pull) = try intent("issue_comment", onPull) else { Issue.record("PR comment not a run"); return }
        #expect(pull.isPullRequest)

        let review = try WebhookFixture("pull_request_review_comment.created").with("comment.body", "@netclode use more emoji")
        guard case .run(let reviewTrigger) = try intent("pull_request_review_comment", review) else { Issue.record("review comment not a run"); return }
        #expect(reviewTrigger.isPullRequest && reviewTrigger.number == 2)
        guard case .reviewComment(let id, let thread) = reviewTrigger.source else { Issue.record("wrong source"); return }
        #expect(id == thread)
        #expect(reviewTrigger.key.contains(":review_comment:"))

        let opened = try WebhookFixture("issues.opened").with("issue.body", "Typo in README. @netclode can you fix it?").with("installation", ["id": 7])
        guard case .run(let issue) = try intent("issues", opened) else { Issue.record("issue not a run"); return }
        #expect(issue.source == .issueBody && issue.reactionTarget == .issue(number: 1))
    }

    @Test("non-triggers are ignored with the reason", arguments: [
        ("edited", "issue_comment", "only issue_comment.created"),
        ("bot sender", "issue_comment", "is a bot"),
        ("[bot] login", "issue_comment", "is a bot"),
        ("via app", "issue_comment", "through a GitHub App"),
        ("own handle", "issue_comment", "is a bot"),
        ("quoted", "issue_comment", "no @netclode mention"),
        ("code", "issue_comment", "no @netclode mention"),
        ("other handle", "issue_comment", "no @netclode mention"),
        ("no installation", "issue_comment", "without an installation"),
        ("pull_request opened", "pull_request", "not one the bot acts on"),
    ])
    func ignored(_ name: String, _ event: String, _ reason: String) throws {
        var fixture = try comment
        switch name {
        case "edited": fixture.set("action", "edited")
        case "bot sender": fixture.set("sender.type", "Bot")
        case "[bot] login": fixture.set("comment.user.login", "renovate[bot]")
        case "via app": fixture.set("comment.performed_via_github_app", ["id": 1, "slug": "other"])
        case "own handle": fixture.set("sender.login", "netclode")
        case "quoted": fixture.set("comment.body", "> @netclode fix\nI agree")
        case "code": fixture.set("comment.body", "try `@netclode fix`")
        case "other handle": fixture.set("comment.body", "@netclode-x fix")
        case "no installation": fixture = try WebhookFixture("issue_comment.created").with("comment.body", "@netclode fix")
        default: fixture = try WebhookFixture("pull_request.opened")
        }
        guard case .ignore(let why) = try intent(event, fixture) else { Issue.record("\(name) was not ignored"); return }
        #expect(why.contains(reason), "\(name): \(why)")
    }

    @Test("installation events name the owners whose installation changed; ping is ignored")
    func installationEvents() throws {
        #expect(try intent("installation", WebhookFixture("installation.created")) == .installationChanged(owners: ["codertocat"]))
        guard case .installationChanged(let owners) = try intent("installation_repositories", WebhookFixture("installation_repositories.added")) else {
            Issue.record("not an installation change"); return
        }
        #expect(owners.contains("codertocat"))
        #expect(try intent("ping", WebhookFixture("ping.with-app_id")) == .ignore("ping"))
    }
}
