import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `kill -9` of the control plane at its most delicate moments (mid-clone, mid-access-change,
/// mid-refresh), then a restart on the same data directory: every session comes back in a
/// consistent state (the access level the API reports is what the sandbox's git credential
/// actually allows, proven by pushing and fetching), the events a watcher already saw are still
/// there, and a watcher resuming from its cursor misses and repeats nothing.
@Suite("Reliability: crash and restart", .serialized)
struct CrashRestartTests {
    /// Rounds of each crash scenario; `NETCLODE_LONG_TESTS=1` repeats them.
    static let rounds = ProcessInfo.processInfo.environment["NETCLODE_LONG_TESTS"] == "1" ? 4 : 1

    /// A repository large enough (incompressible, 48 MiB) that its clone is still running when the
    /// test sees it start.
    static func makeLargeRepository(in directory: TemporaryDirectory) async throws -> String {
        let path = directory.url.appendingPathComponent("big").path
        try await Git.check(["init", "-q", "-b", "main", path])
        // Random bytes without `g` and `-`, so the secrets scan (which reads every file, cloned
        // objects included) cannot meet `ghs_` or `-----BEGIN` by chance (about 1 % per 48 MiB).
        let result = try await Command.run("/bin/sh", ["-c", "tr -d 'g-' < /dev/urandom | head -c 50331648 > \"$0/blob.bin\"", path])
        #expect(result.succeeded, "\(result.stderr)")
        try await Git.check(["-C", path, "add", "blob.bin"])
        try await Git.check(["-C", path, "commit", "-q", "-m", "a large file"])
        return path
    }

    @Test func killedWhileCloningComesBackCloned() async throws {
        let scratch = try TemporaryDirectory(prefix: "netclode-big")
        defer { scratch.remove() }
        let big = try await Self.makeLargeRepository(in: scratch)
        var fixture = try await ReliabilityFixture.start(repos: ["demo/hello"], imports: ["demo/big=\(big)"])
        for round in 1...Self.rounds {
            let session = try await fixture.create(repos: ["demo/hello", "demo/big"], access: "write", name: "clone-\(round)")
            let bigURL = fixture.forge.cloneURL("demo/big").absoluteString
            let watcher = LiveWatcher(fixture, session: session.id)
            // Kill as soon as the large clone is under way.
            let deadline = ContinuousClock.now + .seconds(60)
            while !watcher.events.contains(where: { $0.event.repo == bigURL && ($0.event.stage == "starting" || $0.event.stage == "cloning") }),
                  ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let statusAtKill = try await fixture.session(session.id)
            try await fixture.restartAfterCrash()
            await watcher.ended()
            #expect(["creating", "cloning"].contains(statusAtKill.status), "killed mid-clone (was \(statusAtKill.status))")
            #expect(!statusAtKill.repoStatus.contains { $0.repo == bigURL && $0.stage == "done" }, "the large clone had not finished: \(statusAtKill.repoStatus)")

            let restored = try await fixture.waitFor(session.id, status: ["ready", "error"], timeout: .seconds(120))
            #expect(restored.status == "ready", "\(restored.error)")
            #expect(restored.repoStatus.map(\.stage) == ["done", "done"], "both repositories cloned after the restart: \(restored.repoStatus)")
            let head = try await fixture.exec(session.id, ["git", "rev-parse", "HEAD"], workdir: "demo__big")
            let expected = try await Git.check(["--git-dir", fixture.forge.bareRepositoryPath("demo/big"), "rev-parse", "main"])
            #expect(head.stdout == expected.stdout, "the clone is complete: \(head.stderr)")
            let clean = try await fixture.exec(session.id, ["git", "status", "--porcelain"], workdir: "demo__big")
            #expect(clean.exitCode == 0 && clean.stdout.isEmpty, "a complete checkout: \(clean.stdout) \(clean.stderr)")
            try await fixture.expectConsistentAccess(session.id, workdir: "demo__hello")
            try await EventContinuity.expectContinues(fixture, session: session.id, seen: watcher.events)
        }
        await fixture.finish()
    }

    @Test func killedDuringAnAccessChangeStaysConsistent() async throws {
        var fixture = try await ReliabilityFixture.start(repos: ["demo/hello"])
        // Two moments: while the new token is being minted (GitHub slow), and right after it was
        // minted (the agent may or may not have switched when the control plane dies).
        for round in 1...Self.rounds {
            for slowMint in [true, false] {
                let session = try await fixture.create(repos: ["demo/hello"], name: "access-\(round)-\(slowMint)")
                try await fixture.waitFor(session.id, status: ["ready"])
                let watcher = LiveWatcher(fixture, session: session.id)
                let before = try await fixture.forge.stats()
                if slowMint {
                    try await fixture.forge.injectFault(status: 502, count: 1, delayMs: 5_000, pathPrefix: GitHubFaultTests.mintPath)
                }
                let client = fixture.client
                let change = Task {
                    try? await client.unary("\(ReliabilityFixture.service)/UpdateRepoAccess", Netclode_V1_UpdateRepoAccessRequest.with {
                        $0.sessionID = session.id
                        $0.repoAccess = "write"
                    }, as: Netclode_V1_UpdateRepoAccessResponse.self, timeout: .seconds(60))
                }
                let deadline = ContinuousClock.now + .seconds(90)
                while true {
                    let stats = try await fixture.forge.stats()
                    if slowMint ? stats.faultsInjected > before.faultsInjected : stats.mints > before.mints { break }
                    guard ContinuousClock.now < deadline else {
                        Issue.record("the access change's mint never reached the forge (slow: \(slowMint)): \(stats)")
                        break
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await fixture.restartAfterCrash()
                _ = await change.value
                await watcher.ended()
                try await fixture.forge.clearFaults()

                let restored = try await fixture.waitFor(session.id, status: ["ready"], timeout: .seconds(90))
                #expect(["read", "write"].contains(restored.repoAccess))
                try await fixture.expectConsistentAccess(session.id)
                try await EventContinuity.expectContinues(fixture, session: session.id, seen: watcher.events)
                // And the level can still be changed after the crash.
                let target = restored.repoAccess == "write" ? "read" : "write"
                #expect(try await fixture.updateAccess(session.id, target).applied)
                try await fixture.expectConsistentAccess(session.id)
            }
        }
        await fixture.finish()
    }

    @Test func killedDuringARefreshComesBackWithWorkingCredentials() async throws {
        var fixture = try await ReliabilityFixture.start(repos: ["demo/hello"], tokenTTL: 8)
        for round in 1...Self.rounds {
            let session = try await fixture.create(repos: ["demo/hello"], access: "write", name: "refresh-\(round)")
            try await fixture.waitFor(session.id, status: ["ready"])
            let watcher = LiveWatcher(fixture, session: session.id)
            // The next mint is the refresh (about 5.6 s after the first, or 5.6 s after a later one
            // if the session took long to get ready); it hangs for 5 s. The crash waits for the
            // forge to report the hanging mint, however long that takes.
            let before = try await fixture.forge.stats()
            try await fixture.forge.injectFault(status: nil, count: 1, delayMs: 5_000, pathPrefix: GitHubFaultTests.mintPath)
            let deadline = ContinuousClock.now + .seconds(90)
            while try await fixture.forge.stats().faultsInjected == before.faultsInjected {
                guard ContinuousClock.now < deadline else {
                    Issue.record("no refresh reached the forge within 90 s: \(try await fixture.forge.stats())")
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await fixture.restartAfterCrash()
            await watcher.ended()

            try await fixture.waitFor(session.id, status: ["ready"], timeout: .seconds(90))
            #expect(try await fixture.session(session.id).repoAccess == "write")
            try await fixture.expectConsistentAccess(session.id)
            // Refreshes carry on after the restart.
            let refreshed = try await fixture.watch(session.id, timeout: .seconds(120)) { items in
                items.contains { $0.event.kind == "token" && $0.event.stage == "refreshed" && !watcher.events.map(\.cursor).contains($0.cursor) }
            }
            #expect(refreshed.contains { $0.event.kind == "token" && $0.event.stage == "refreshed" })
            try await fixture.expectConsistentAccess(session.id)
            try await EventContinuity.expectContinues(fixture, session: session.id, seen: watcher.events)
        }
        await fixture.finish()
    }

    @Test func aKilledAgentFailsItsSessionAndResumeBringsItBack() async throws {
        let fixture = try await ReliabilityFixture.start(repos: ["demo/hello"])
        for round in 1...Self.rounds {
            let session = try await fixture.create(repos: ["demo/hello"], name: "agent-\(round)")
            try await fixture.waitFor(session.id, status: ["ready"])
            let pid = try #require(SandboxProcesses.agentPID(of: session.id), "the agent process of \(session.id)")
            let before = try await fixture.forge.stats()
            #expect(kill(pid, SIGKILL) == 0)

            let failed = try await fixture.waitFor(session.id, status: ["error"], timeout: .seconds(60))
            #expect(failed.error.contains("agent exited unexpectedly"), "a clear reason: \(failed.error)")
            // Its one token is revoked (sessions of earlier rounds keep theirs).
            var stats = try await fixture.forge.stats()
            let deadline = ContinuousClock.now + .seconds(30)
            while stats.revocations == before.revocations, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                stats = try await fixture.forge.stats()
            }
            #expect(stats.revocations == before.revocations + 1 && stats.mints == before.mints, "the dead sandbox's token is revoked: \(stats)")
            let exec = await fixture.connectError("Exec in a failed session") { _ = try await fixture.exec(session.id, ["true"]) }
            #expect(exec != nil && exec?.message.isEmpty == false)

            let _: Netclode_V1_ResumeSessionResponse = try await fixture.call("ResumeSession", Netclode_V1_ResumeSessionRequest.with { $0.sessionID = session.id })
            try await fixture.waitFor(session.id, status: ["ready"])
            try await fixture.expectConsistentAccess(session.id)
        }
        // An agent killed before it ever attached: the session must not stay in creating.
        let early = try await fixture.create(repos: ["demo/hello"], name: "early")
        let deadline = ContinuousClock.now + .seconds(60)
        var killed = false
        while !killed, ContinuousClock.now < deadline {
            if let pid = SandboxProcesses.agentPID(of: early.id) { killed = kill(pid, SIGKILL) == 0 }
            else { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(killed)
        let settled = try await fixture.waitFor(early.id, status: ["error"], timeout: .seconds(60))
        #expect(settled.status == "error", "not stuck in \(settled.status)")
        await fixture.finish()
    }
}
