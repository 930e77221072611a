import ConnectRPC
import Foundation
import NetclodeProto
import Testing
import TestSupport

/// GitHub misbehaving the ways it does in production (5xx, dropped connections, stalls, rate
/// limits) while sessions are created, refreshed and have their access changed: bounded retries,
/// then either success or a clear error; never a crash, a session stuck in `creating`, a leaked
/// token or a half-made session; and everything works again once GitHub does.
@Suite("Reliability: GitHub faults", .serialized)
struct GitHubFaultTests {
    /// Where the forge mints tokens (`POST /app/installations/{id}/access_tokens`).
    static let mintPath = "/app/installations"

    /// One fault script, injected before one operation.
    struct Fault: CustomStringConvertible {
        var description: String
        var inject: @Sendable (ForgeProcess) async throws -> Void
    }

    /// Faults a retrying client rides out: each is answered by a bounded number of retries.
    static var transientFaults: [Fault] {
        [
            Fault(description: "502 twice") { try await $0.injectFault(status: 502, count: 2, pathPrefix: mintPath) },
            Fault(description: "503 twice") { try await $0.injectFault(status: 503, count: 2, pathPrefix: mintPath) },
            Fault(description: "connection reset twice") { try await $0.injectFault(status: nil, count: 2, pathPrefix: mintPath, reset: true) },
            Fault(description: "429 with retry-after 1") { try await $0.injectFault(status: 429, count: 1, retryAfter: 1, pathPrefix: mintPath) },
            Fault(description: "403 primary rate limit resetting in 2 s") {
                try await $0.injectFault(status: 403, count: 1, rateLimitReset: Int(Date().timeIntervalSince1970) + 2, pathPrefix: mintPath)
            },
            // Longer than the client's 10-second request timeout; the late answer is a 502 nobody
            // reads, so the stalled request mints nothing behind the client's back.
            Fault(description: "a 12-second stall") { try await $0.injectFault(status: 502, count: 1, delayMs: 12_000, pathPrefix: mintPath) },
        ]
    }

    @Test func transientFaultsDuringCreateAreRetriedAway() async throws {
        let fixture = try await ReliabilityFixture.start()
        var created: [String] = []
        for fault in Self.transientFaults {
            let before = try await fixture.forge.stats()
            try await fault.inject(fixture.forge)
            let started = ContinuousClock.now
            let session = try await fixture.create(repos: ["demo/hello"])
            created.append(session.id)
            let after = try await fixture.forge.stats()
            #expect(after.faultsInjected > before.faultsInjected, "\(fault): the fault was hit")
            #expect(ContinuousClock.now - started < .seconds(60), "\(fault): bounded by the retry budget")
            #expect(after.mints == before.mints + 1, "\(fault): one token, none minted behind the client's back")
        }
        for id in created {
            let ready = try await fixture.waitFor(id, status: ["ready"])
            #expect(ready.repoStatus.map(\.stage) == ["done"], "\(id): \(ready.repoStatus)")
        }
        await fixture.finish()
    }

    @Test func persistentFaultsFailCreateCleanlyThenItRecovers() async throws {
        let fixture = try await ReliabilityFixture.start()
        let persistent: [(Fault, ConnectError.Code, String)] = [
            (Fault(description: "502 forever") { try await $0.injectFault(status: 502, count: 1000, pathPrefix: Self.mintPath) }, .unavailable, "502"),
            (Fault(description: "503 forever") { try await $0.injectFault(status: 503, count: 1000, pathPrefix: Self.mintPath) }, .unavailable, "503"),
            (Fault(description: "resets forever") { try await $0.injectFault(status: nil, count: 1000, pathPrefix: Self.mintPath, reset: true) }, .unavailable, "GitHub unavailable"),
            (Fault(description: "primary rate limit for an hour") {
                try await $0.injectFault(status: 403, count: 1000, rateLimitReset: Int(Date().timeIntervalSince1970) + 3600, pathPrefix: Self.mintPath)
            }, .resourceExhausted, "rate limit"),
            (Fault(description: "429 retry-after an hour") { try await $0.injectFault(status: 429, count: 1000, retryAfter: 3600, pathPrefix: Self.mintPath) }, .resourceExhausted, "rate limit"),
        ]
        for (fault, code, words) in persistent {
            try await fault.inject(fixture.forge)
            let started = ContinuousClock.now
            let error = await fixture.connectError("CreateSession under \(fault)") { _ = try await fixture.create(repos: ["demo/hello"]) }
            let took = ContinuousClock.now - started
            try await fixture.forge.clearFaults()
            #expect(error?.code == code, "\(fault): \(String(describing: error))")
            #expect(error?.message.contains(words) == true, "\(fault): the message says why: \(error?.message ?? "")")
            #expect(took < .seconds(45), "\(fault): the retries are bounded (took \(took))")
            #expect(try await fixture.sessions().isEmpty, "\(fault): no session record")
            let sessionsDirectory = fixture.controlPlane.dataDirectory.appendingPathComponent("sessions")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: sessionsDirectory.path)) ?? []).isEmpty, "\(fault): no sandbox directory")
            let stats = try await fixture.forge.stats()
            #expect(stats.mints == stats.revocations, "\(fault): no live token")
        }
        // GitHub is back: the next create works.
        let session = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(session.id, status: ["ready"])
        await fixture.finish()
    }

    @Test func accessChangesFailCleanlyUnderFaultsAndRecover() async throws {
        let fixture = try await ReliabilityFixture.start()
        let session = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(session.id, status: ["ready"])
        // The secrets scan looks for `ghs_`: the forge's tokens carry GitHub's prefix (shown with
        // `_` turned into `+`, so that this answer does not trip the scan itself).
        let prefix = try await fixture.exec(session.id, ["sh", "-c", "printf %s \"$GITHUB_TOKEN\" | cut -c1-4 | tr _ +"])
        #expect(prefix.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ghs+", "\(prefix.stdout) \(prefix.stderr)")

        try await fixture.forge.injectFault(status: 503, count: 1000, pathPrefix: Self.mintPath)
        let refused = await fixture.connectError("UpdateRepoAccess while GitHub answers 503") { _ = try await fixture.updateAccess(session.id, "write") }
        try await fixture.forge.clearFaults()
        #expect(refused?.code == .unavailable, "\(String(describing: refused))")
        #expect(refused?.message.contains("503") == true, "\(refused?.message ?? "")")
        #expect(try await fixture.session(session.id).repoAccess == "read", "the old level stays")
        try await fixture.expectConsistentAccess(session.id)

        try await fixture.forge.injectFault(status: 403, count: 1000, rateLimitReset: Int(Date().timeIntervalSince1970) + 3600, pathPrefix: Self.mintPath)
        let limited = await fixture.connectError("UpdateRepoAccess while rate limited") { _ = try await fixture.updateAccess(session.id, "write") }
        try await fixture.forge.clearFaults()
        #expect(limited?.code == .resourceExhausted, "\(String(describing: limited))")
        #expect(try await fixture.session(session.id).status == "ready", "a failed change does not break the session")
        try await fixture.expectConsistentAccess(session.id)

        try await fixture.forge.injectFault(status: nil, count: 2, pathPrefix: Self.mintPath, reset: true)
        #expect(try await fixture.updateAccess(session.id, "write").applied)
        try await fixture.expectConsistentAccess(session.id)

        try await fixture.forge.injectFault(status: 429, count: 1, retryAfter: 1, pathPrefix: Self.mintPath)
        #expect(try await fixture.updateAccess(session.id, "read").applied)
        try await fixture.expectConsistentAccess(session.id)

        // A mint that hangs past the client's 10-second timeout is abandoned and retried.
        try await fixture.forge.injectFault(status: 502, count: 1, delayMs: 12_000, pathPrefix: Self.mintPath)
        #expect(try await fixture.updateAccess(session.id, "write").applied)
        try await fixture.expectConsistentAccess(session.id)

        // Exactly one live token: every replaced or refused one was revoked.
        var stats = try await fixture.forge.stats()
        let deadline = ContinuousClock.now + .seconds(30)
        while stats.mints - stats.revocations != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            stats = try await fixture.forge.stats()
        }
        #expect(stats.mints - stats.revocations == 1, "\(stats)")
        await fixture.finish()
    }

    @Test func refreshesRideOutResetsAndRateLimits() async throws {
        let fixture = try await ReliabilityFixture.start(tokenTTL: 8)
        let session = try await fixture.create(repos: ["demo/hello"], access: "write")
        try await fixture.waitFor(session.id, status: ["ready"])
        // The first refresh (about 5.6 s after the mint) meets five resets (its whole retry
        // allowance); the next attempt an hour-long rate limit (refused at once, as waiting would
        // outlast the budget); the one after that goes through.
        try await fixture.forge.injectFault(status: nil, count: 5, pathPrefix: Self.mintPath, reset: true)
        try await fixture.forge.injectFault(status: 403, count: 1, rateLimitReset: Int(Date().timeIntervalSince1970) + 3600, pathPrefix: Self.mintPath)
        let items = try await fixture.watch(session.id, timeout: .seconds(90)) { items in
            let token = items.filter { $0.event.kind == "token" }
            guard let lastError = token.lastIndex(where: { $0.event.stage == "error" }) else { return false }
            return token.filter { $0.event.stage == "error" }.count >= 2 && token[lastError...].contains { $0.event.stage == "refreshed" }
        }
        let errors = items.filter { $0.event.kind == "token" && $0.event.stage == "error" }.map(\.event.message)
        #expect(errors.contains { $0.contains("GitHub unavailable") }, "the reset is reported: \(errors)")
        #expect(errors.contains { $0.contains("rate limit") }, "the rate limit is reported: \(errors)")
        #expect(items.contains { $0.event.kind == "token" && $0.event.stage == "refreshed" }, "it recovers")
        #expect(try await fixture.session(session.id).status == "ready", "failed refreshes do not fail the session")
        try await fixture.expectConsistentAccess(session.id)
        await fixture.finish()
    }
}
