import Foundation
import GitHubApp
import Testing
import TestSupport

/// The token broker against a real `netclode forge` process, with real git, on 127.0.0.1.
@Suite("Token broker against the forge")
struct TokenBrokerForgeTests {
    static let demoRepos = ["demo/hello", "demo/widgets", "demo/third", "other/tools"]

    @Test func readTokenClonesItsReposOnlyAndCannotPush() async throws {
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos)
        let tokens = try await fixture.broker.lease(session: "s-read", repositories: try fixture.repos("demo/hello", try fixture.cloneURL("demo/widgets")), access: .read)
        #expect(tokens.count == 1, "two repos of one owner: one token")
        let token = try #require(tokens.first)
        #expect(token.permissions["contents"] == "read")
        #expect(token.permissions["metadata"] == "read")

        for name in ["demo/hello", "demo/widgets"] {
            let clone = try await fixture.git(["clone", try fixture.cloneURL(name), name.replacingOccurrences(of: "/", with: "__")], token: token)
            #expect(clone.exitCode == 0, "clone \(name): \(clone.stderr)")
        }
        let third = try await fixture.git(["clone", try fixture.cloneURL("demo/third"), "third"], token: token)
        #expect(third.exitCode != 0)
        #expect(third.stderr.contains("Repository not found"), "\(third.stderr)")

        let checkout = fixture.workspace.url.appendingPathComponent("demo__hello")
        try "change\n".write(to: checkout.appendingPathComponent("CHANGE.md"), atomically: true, encoding: .utf8)
        _ = try await fixture.git(["add", "."], token: nil, in: checkout)
        _ = try await fixture.git(["commit", "-m", "change"], token: nil, in: checkout)
        let push = try await fixture.git(["push", "origin", "HEAD"], token: token, in: checkout)
        #expect(push.exitCode != 0)
        #expect(push.stderr.contains("Permission to demo/hello.git denied to"), "\(push.stderr)")

        await fixture.finish(tokens: tokens)
    }

    @Test func writeTokenPushesAndRevocationStopsIt() async throws {
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos)
        let tokens = try await fixture.broker.lease(session: "s-write", repositories: try fixture.repos("demo/hello"), access: .write)
        let token = try #require(tokens.first)
        #expect(token.permissions["contents"] == "write")

        #expect(try await fixture.git(["clone", try fixture.cloneURL("demo/hello"), "hello"], token: token).exitCode == 0)
        let checkout = fixture.workspace.url.appendingPathComponent("hello")
        try "pushed\n".write(to: checkout.appendingPathComponent("PUSHED.md"), atomically: true, encoding: .utf8)
        _ = try await fixture.git(["add", "."], token: nil, in: checkout)
        _ = try await fixture.git(["commit", "-m", "pushed by the broker test"], token: nil, in: checkout)
        let push = try await fixture.git(["push", "origin", "HEAD:main"], token: token, in: checkout)
        #expect(push.exitCode == 0, "\(push.stderr)")
        let log = try await Git.run(["--git-dir", fixture.forge.bareRepositoryPath("demo/hello"), "log", "--format=%s", "-1", "main"], in: fixture.workspace.url)
        #expect(log.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "pushed by the broker test")

        await fixture.broker.revoke(session: "s-write")
        #expect(await fixture.broker.tokens(for: "s-write").isEmpty)
        let afterRevoke = try await fixture.git(["clone", try fixture.cloneURL("demo/hello"), "again"], token: token)
        #expect(afterRevoke.exitCode != 0, "a revoked token must stop working at once")
        let stats = try await fixture.forge.stats()
        #expect(stats.mints == 1)
        #expect(stats.revocations == 1)
        await fixture.finish(tokens: tokens)
    }

    @Test func shortLivedTokensAreRefreshedBeforeTheyExpire() async throws {
        let recorder = RenewalRecorder()
        // 40-second tokens: replaced about 12 s before expiry (30 % of the lifetime), a margin a
        // loaded 2-core machine keeps (5-second tokens missed it by a second under the suite's load).
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos, tokenTTL: 40)
        let first = try await fixture.broker.lease(session: "s-ttl", repositories: try fixture.repos("demo/hello"), access: .read) { renewal in
            await recorder.record(renewal)
        }
        let original = try #require(first.first)
        // Wait for the renewal itself (generously), then check when it came: before the original
        // expired. `expiresAt` has whole seconds and may be up to a second early.
        let renewal = try #require(await recorder.firstRenewal(within: .seconds(120)), "no renewal within 120 s")
        let renewed = try #require(renewal.tokens.first)
        #expect(renewal.at < original.expiresAt.addingTimeInterval(1), "renewed at \(renewal.at), the original expires at \(original.expiresAt)")
        #expect(renewed.secret != original.secret)
        let held = await fixture.broker.tokens(for: "s-ttl").first?.secret
        let delivered = await recorder.latest?.first?.secret
        #expect(held == delivered, "the broker holds what it delivered")

        // The original is refused once its expiry has certainly passed (it is revoked then too).
        try await Task.sleep(for: .seconds(max(original.expiresAt.timeIntervalSinceNow + 2, 0)))
        let expired = try await fixture.git(["ls-remote", try fixture.cloneURL("demo/hello")], token: original)
        #expect(expired.exitCode != 0, "the original token is past its expiry (and revoked)")
        let current = try #require(await fixture.broker.tokens(for: "s-ttl").first)
        let works = try await fixture.git(["ls-remote", try fixture.cloneURL("demo/hello")], token: current)
        #expect(works.exitCode == 0, "\(works.stderr)")

        let stats = try await fixture.forge.stats()
        let renewals = await recorder.renewals.count
        #expect(renewals >= 1)
        #expect(stats.mints >= 1 + renewals, "one mint per refresh")
        #expect(await recorder.failures.isEmpty)
        await fixture.finish(tokens: [original, renewed, current])
    }

    @Test func reposOfTwoOwnersGetTwoScopedTokens() async throws {
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos)
        let tokens = try await fixture.broker.lease(session: "s-two", repositories: try fixture.repos("demo/hello", "other/tools", "demo/widgets"), access: .read)
        #expect(tokens.count == 2)
        #expect(Set(tokens.map(\.installationID)).count == 2)
        let demo = try #require(tokens.first { $0.owner.lowercased() == "demo" })
        let other = try #require(tokens.first { $0.owner.lowercased() == "other" })
        #expect(demo.repositories.map(\.fullName) == ["demo/hello", "demo/widgets"])
        #expect(other.repositories.map(\.fullName) == ["other/tools"])

        #expect(try await fixture.git(["ls-remote", try fixture.cloneURL("other/tools")], token: other).exitCode == 0)
        let crossed = try await fixture.git(["ls-remote", try fixture.cloneURL("other/tools")], token: demo)
        #expect(crossed.exitCode != 0)
        #expect(crossed.stderr.contains("Repository not found"))

        let stats = try await fixture.forge.stats()
        #expect(stats.mints == 2, "one mint per installation")
        #expect(stats.installationLookups == 2, "one lookup per owner")

        // A second session on the same owners costs mints only: the owners are cached.
        _ = try await fixture.broker.lease(session: "s-two-again", repositories: try fixture.repos("demo/third", "other/tools"), access: .write)
        let after = try await fixture.forge.stats()
        #expect(after.mints == 4)
        #expect(after.installationLookups == 2)
        await fixture.finish(tokens: tokens + (await fixture.broker.tokens(for: "s-two-again")))
    }

    @Test func defaultInstallationSavesItsOwnersLookupButNeverCoversOthers() async throws {
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos, uninstalledRepos: ["outsider/secret"], defaultInstallationOwner: "demo")
        let tokens = try await fixture.broker.lease(session: "s-default", repositories: try fixture.repos("demo/hello"), access: .read)
        #expect(try await fixture.forge.stats().installationLookups == 0)
        let error = await #expect(throws: GitHubError.self) {
            try await fixture.broker.lease(session: "s-outsider", repositories: try fixture.repos("outsider/secret"), access: .read)
        }
        #expect(error?.message == "Repository not found: outsider/secret (is the GitHub App installed on outsider?)")
        await fixture.finish(tokens: tokens)
    }

    @Test func uncoveredRepositoryFailsTheWholeLeaseAndLeavesNoToken() async throws {
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos, uninstalledRepos: ["outsider/secret", "demo/private"])
        let error = await #expect(throws: GitHubError.self) {
            try await fixture.broker.lease(session: "s-bad", repositories: try fixture.repos("demo/hello", "outsider/secret"), access: .read)
        }
        #expect(error?.message.contains("outsider/secret") == true)
        #expect(error?.message.hasPrefix("Repository not found") == true || error?.message.hasPrefix("Resource not accessible by integration") == true)

        // The owner has an installation, but this repository is not in it.
        let uncovered = await #expect(throws: GitHubError.self) {
            try await fixture.broker.lease(session: "s-bad2", repositories: try fixture.repos("demo/hello", "demo/private"), access: .read)
        }
        #expect(uncovered?.message.contains("demo/private") == true, "\(uncovered?.message ?? "")")
        let stats = try await fixture.forge.stats()
        #expect(stats.mints == stats.revocations, "every token minted on the way was revoked")
        #expect(await fixture.broker.tokens(for: "s-bad").isEmpty)
        await fixture.finish(tokens: [])
    }

    @Test func transientFailuresAreRetried() async throws {
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos)
        try await fixture.forge.injectFault(status: 502, count: 2, pathPrefix: "/app/installations")
        let tokens = try await fixture.broker.lease(session: "s-502", repositories: try fixture.repos("demo/hello"), access: .read)
        #expect(tokens.count == 1)
        var stats = try await fixture.forge.stats()
        #expect(stats.mints == 1)
        #expect(stats.faultsInjected == 2)

        try await fixture.forge.injectFault(status: 429, count: 1, retryAfter: 1, pathPrefix: "/app/installations")
        let clock = ContinuousClock()
        let started = clock.now
        _ = try await fixture.broker.lease(session: "s-429", repositories: try fixture.repos("demo/widgets"), access: .read)
        #expect(clock.now - started >= .seconds(1), "retry-after: 1 must be honoured")
        stats = try await fixture.forge.stats()
        #expect(stats.mints == 2)
        await fixture.finish(tokens: tokens + (await fixture.broker.tokens(for: "s-429")))
    }

    @Test func persistentFailureEndsInATypedErrorWithinTheBudget() async throws {
        // The budget is far from binding (three quick failures take milliseconds), so the attempt
        // count is what ends the retries even on a saturated machine (5 s once ran out first).
        let fixture = try await BrokerFixture.start(repos: Self.demoRepos, retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), budget: .seconds(120)))
        try await fixture.forge.injectFault(status: 503, count: 10, pathPrefix: "/repos")
        let error = await #expect(throws: GitHubError.self) {
            try await fixture.broker.lease(session: "s-503", repositories: try fixture.repos("demo/hello"), access: .read)
        }
        #expect(error?.kind == .unavailable)
        #expect(try await fixture.forge.stats().faultsInjected == 3, "exactly maxAttempts tries")
        await fixture.finish(tokens: [])
    }
}
