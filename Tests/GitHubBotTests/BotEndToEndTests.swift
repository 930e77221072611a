import Foundation
import Testing
import TestSupport

/// The bot end to end: a person comments on the forge, the forge delivers the signed webhook to a
/// real `netclode serve`, the bot answers on the forge with a real session, agent and git push.
@Suite("the GitHub bot end to end")
struct BotEndToEndTests {
    static let mention = "@netclode-forge"

    @Test("comment → 👀 → status comment → commits on netclode/1-… → draft PR by the bot → final comment; refusals, redelivery, the hourly cap; every token revoked")
    func happyPath() async throws {
        try await BotForge.with(extra: ["NETCLODE_BOT_RUNS_PER_ISSUE_PER_HOUR": "2"]) { bot in
            let forge = bot.forge
            let asked = ContinuousClock.now
            let trigger = try await bot.comment("\(Self.mention) please add a greeting")

            var eyesAfter: Duration?
            let deadline = ContinuousClock.now + .seconds(120)
            while eyesAfter == nil, ContinuousClock.now < deadline {
                if try await bot.reactions(onComment: trigger).contains("eyes") { eyesAfter = .now - asked } else { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(eyesAfter != nil, "👀 on the trigger")
            let final = try await bot.waitForBotComment { $0.contains("✅") }
            let finalAfter = ContinuousClock.now - asked
            print("bot timings: comment → 👀 \(eyesAfter.map { "\($0)" } ?? "never"), comment → final status \(finalAfter)")

            let branch = "netclode/1-add-a-greeting-for-netclode"
            #expect(final.contains("`\(branch)`"))
            let pulls = try await forge.api("GET", "/repos/demo/hello/pulls?state=open&head=demo:\(branch)", token: try forge.userToken("alice"))
            let pull = try #require(pulls.array?.first, "a pull request for \(branch): \(pulls.text)")
            #expect(pull["draft"] as? Bool == true)
            #expect(final.contains(pull["html_url"] as? String ?? "missing"))
            #expect((pull["title"] as? String) == "Add a greeting for Netclode")
            #expect(((pull["user"] as? [String: Any])?["login"] as? String)?.hasSuffix("[bot]") == true)
            let author = try await Git.check(["log", "-1", "--format=%an", branch], in: forge.bareRepository("demo/hello")).stdout
            #expect(author.trimmingCharacters(in: .whitespacesAndNewlines) == "netclode-forge[bot]")
            let content = try await Git.check(["show", "\(branch):GREETING.md"], in: forge.bareRepository("demo/hello")).stdout
            #expect(content.contains("please add a greeting"))
            #expect(try await bot.botComments().count == 1, "one status comment, edited in place")

            // A reader is refused, in a short reply, and nothing runs.
            let readerComment = try await bot.comment("\(Self.mention) delete everything", as: "bob")
            let refusal = try await bot.waitForBotComment { $0.contains("write access") }
            #expect(refusal.contains("@bob has read access"))
            #expect(try await bot.reactions(onComment: readerComment).isEmpty)

            // A redelivery of the finished request is acknowledged and changes nothing.
            let deliveries = try await forge.webhookDeliveries()
            let first = try #require(deliveries.first { $0.event == "issue_comment" && $0.statusCode == 202 })
            try await forge.redeliver(first.id)
            let redelivered = try await forge.waitForDeliveries(count: deliveries.count + 1)
            #expect(redelivered.contains { $0.guid == first.guid && $0.redelivery && $0.statusCode == 200 })

            // The hourly cap: the second run goes (and links the pull request that exists); the third is refused.
            _ = try await bot.comment("\(Self.mention) once more please")
            _ = try await bot.comment("\(Self.mention) and again")
            _ = try await bot.waitForBotComment { $0.contains("the limit is 2") }
            let finals = try await bot.waitForBotComments(count: 2) { $0.contains("✅") }
            #expect(finals.last?.contains(pull["html_url"] as? String ?? "missing") == true, "the second run links the pull request that exists")

            let stats = try await bot.waitForAllRevoked()
            #expect(stats.revocations == stats.mints, "every minted token revoked: \(stats)")
            let activity = try String(contentsOf: forge.dataDirectory.appendingPathComponent("activity.json"), encoding: .utf8)
            #expect(activity.contains("please add a greeting") && !activity.contains("ghs_"), "no token in any comment or pull request")
            #expect(!bot.server.allLogs().contains("ghs_"), "no token in the control plane's logs")
        }
    }
}

@Suite("the GitHub bot across a crash")
struct BotCrashTests {
    @Test("kill -9 mid-run: the restarted control plane resumes the delivery, edits the same status comment to its end and opens the pull request")
    func resumesAfterACrash() async throws {
        try await BotForge.with(delay: 20) { bot in
            _ = try await bot.comment("\(BotEndToEndTests.mention) please add a greeting")
            _ = try await bot.waitForBotComment { $0.contains("in session") }
            bot.server.kill()
            bot.server = try await bot.server.restart(keepingPort: true)
            let final = try await bot.waitForBotComment(timeout: .seconds(300)) { $0.contains("✅") || $0.contains("❌") }
            #expect(final.contains("✅"), "\(final)")
            #expect(try await bot.botComments().count == 1, "the same status comment, edited")
            let pulls = try await bot.forge.api("GET", "/repos/demo/hello/pulls?state=open", token: try bot.forge.userToken("alice"))
            #expect(pulls.array?.count == 1, "\(pulls.text)")
        }
    }
}
