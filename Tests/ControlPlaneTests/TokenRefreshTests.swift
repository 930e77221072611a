import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Tokens are replaced before they expire and the sandbox never notices.
@Suite("Token refresh end to end", .serialized)
struct TokenRefreshTests {
    @Test func fetchAndPushKeepWorkingAcrossExpiries() async throws {
        // 8-second tokens are replaced about 2.4 s before they expire: a git operation that began
        // with the old one has that long to finish, on however busy a machine.
        let fixture = try await SessionsFixture.start(tokenTTL: 8)
        let created = try await fixture.create(repos: ["demo/hello"], access: "write")
        try await fixture.waitFor(created.id, status: "ready")
        // Fetch and push until the token has been replaced three times (the first mint plus three
        // refreshes, counted by the forge): the work spans two expiries whatever the pace.
        let deadline = ContinuousClock.now + .seconds(180)
        var round = 0
        while try await fixture.forge.stats().mints < 4 {
            guard ContinuousClock.now < deadline else {
                Issue.record("fewer than three refreshes in 180 s: \(try await fixture.forge.stats())")
                break
            }
            round += 1
            let result = try await fixture.exec(created.id, ["sh", "-c", "git fetch -q origin && git commit -q --allow-empty -m round-\(round) && git push -q origin HEAD:main"])
            #expect(result.exitCode == 0, "round \(round) failed: \(result.stderr)")
            try await Task.sleep(for: .milliseconds(500))
        }
        let history = try await fixture.watch(created.id) { items in items.contains { $0.type == "session.updated" } }
        let refreshedSoFar = Self.refreshes(history)
        #expect(refreshedSoFar >= 3, "at least three refreshes, got \(refreshedSoFar)")
        #expect(!history.contains { $0.event.kind == "token" && $0.event.stage == "error" })
        // One mint per refresh: the forge counts a mint before its `refreshed` event is stored, so
        // the two are compared once they agree, re-read until then (a loaded machine can leave a
        // refresh between its mint and its event for a while); a second mint per refresh never
        // agrees.
        let agreeDeadline = ContinuousClock.now + .seconds(120)
        var counts: (mints: Int, refreshed: Int) = (0, -1)
        while ContinuousClock.now < agreeDeadline {
            let history = try await fixture.watch(created.id) { items in items.contains { $0.type == "session.updated" } }
            counts = (try await fixture.forge.stats().mints, Self.refreshes(history))
            if counts.mints == 1 + counts.refreshed { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(counts.mints == 1 + counts.refreshed, "exactly one mint per refresh (\(counts.mints) mints, \(counts.refreshed) refreshes)")
        // Pausing revokes the token in force at once. (Tokens replaced by a refresh are revoked
        // after a grace period or simply expire first.)
        let beforePause = try await fixture.forge.stats()
        let _: Netclode_V1_PauseSessionResponse = try await fixture.call("PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = created.id })
        var final = try await fixture.forge.stats()
        let revokeDeadline = ContinuousClock.now + .seconds(60)
        while final.revocations == beforePause.revocations, ContinuousClock.now < revokeDeadline {
            try await Task.sleep(for: .milliseconds(100))
            final = try await fixture.forge.stats()
        }
        #expect(final.revocations > beforePause.revocations, "pause revoked the live token")
        #expect(final.revocations <= final.mints, "no token revoked twice")
        await fixture.finish()
    }

    static func refreshes(_ items: [Netclode_V1_WatchSessionResponse]) -> Int {
        items.filter { $0.event.kind == "token" && $0.event.stage == "refreshed" }.count
    }
}

/// A refresh that keeps failing is reported, retried, and recovers when GitHub does.
@Suite("Token refresh failures end to end", .serialized)
struct TokenRefreshFailureTests {
    @Test func aFailingRefreshIsReportedAndRecovers() async throws {
        let fixture = try await SessionsFixture.start(tokenTTL: 8)
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")
        // Every mint fails for a while: the first refresh (about 5.6 s after the mint) exhausts its
        // retries; once the faults are used up the broker's next attempt succeeds.
        try await fixture.forge.injectFault(status: 502, count: 8, pathPrefix: "/app/installations")
        let items = try await fixture.watch(created.id, timeout: .seconds(180)) { items in
            let token = items.filter { $0.event.kind == "token" }
            guard let firstError = token.firstIndex(where: { $0.event.stage == "error" }) else { return false }
            return token[firstError...].contains { $0.event.stage == "refreshed" }
        }
        let token = items.filter { $0.event.kind == "token" }
        let error = try #require(token.first { $0.event.stage == "error" }, "a failing refresh is never silent")
        #expect(error.event.message.contains("Token refresh failed"), "\(error.event.message)")
        #expect(error.event.message.contains("502"), "GitHub's reason is given: \(error.event.message)")
        #expect(token.contains { $0.event.stage == "refreshed" }, "it recovers when GitHub does")
        let fetch = try await fixture.exec(created.id, ["git", "fetch", "origin"])
        #expect(fetch.exitCode == 0, "the refreshed token works: \(fetch.stderr)")
        await fixture.finish()
    }
}
