import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Sessions end to end: a real forge, a real `netclode serve`, real sandboxed agents, real git.
@Suite("Sessions end to end", .serialized)
struct SessionLifecycleTests {
    @Test func twoReposWithWriteAccessCloneStreamAndPush() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello", fixture.forge.cloneURL("demo/widgets").absoluteString], access: "write")
        #expect(created.repoAccess == "write")
        #expect(created.repos == ["demo/hello", "demo/widgets"].map { fixture.forge.cloneURL($0).absoluteString })

        let items = try await fixture.watch(created.id) { items in
            items.filter { $0.type == "agent.event" && ($0.event.stage == "done" || $0.event.stage == "error") }.count == 2
        }
        for repo in created.repos {
            let stages = items.filter { $0.type == "agent.event" && $0.event.repo == repo }.map(\.event.stage)
            #expect(stages.first == "starting", "\(repo): \(stages)")
            #expect(stages.last == "done", "\(repo): \(stages)")
            #expect(Set(stages).isSubset(of: ["starting", "cloning", "done"]))
        }
        let events = items.filter { $0.type == "agent.event" }
        #expect(events.allSatisfy { $0.sessionID == created.id && !$0.cursor.isEmpty && $0.event.kind == "repo_clone" })
        #expect(events.first?.event.message == "Cloning repository...")
        #expect(zip(events, events.dropFirst()).allSatisfy { Int64($0.cursor)! < Int64($1.cursor)! }, "cursors increase")

        let ready = try await fixture.waitFor(created.id, status: "ready")
        #expect(ready.repoStatus.map(\.stage) == ["done", "done"])

        let log = try await fixture.exec(created.id, ["git", "log", "--format=%s"], workdir: "demo__hello")
        #expect(log.exitCode == 0)
        #expect(log.stdout.contains("Initial commit"), "\(log.stdout) \(log.stderr)")

        let push = try await fixture.exec(created.id, ["sh", "-c", "echo change > CHANGE.md && git add CHANGE.md && git commit -qm 'pushed from the sandbox' && git push origin HEAD:main"], workdir: "demo__widgets")
        #expect(push.exitCode == 0, "\(push.stderr)")
        let pushed = try await Git.run(["--git-dir", fixture.forge.bareRepositoryPath("demo/widgets"), "log", "-1", "--format=%s", "main"])
        #expect(pushed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "pushed from the sandbox")
        let stats = try await fixture.forge.stats()
        #expect(stats.mints == 1, "one installation: one token")
        await fixture.finish()
    }

    @Test func oneRepoLandsInTheWorkspaceRoot() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"])
        #expect(created.repoAccess == "read", "read is the default")
        try await fixture.waitFor(created.id, status: "ready")
        let listing = try await fixture.exec(created.id, ["ls", "-A"])
        #expect(listing.stdout.split(separator: "\n").contains("README.md"), "\(listing.stdout)")
        #expect(listing.stdout.split(separator: "\n").contains(".git"))
        let push = try await fixture.exec(created.id, ["sh", "-c", "git commit -q --allow-empty -m nope && git push origin HEAD:main"])
        #expect(push.exitCode != 0)
        #expect(push.stderr.contains("Permission to demo/hello.git denied"), "\(push.stderr)")
        await fixture.finish()
    }

    @Test func aRepoNoInstallationCoversCreatesNothing() async throws {
        let fixture = try await SessionsFixture.start()
        let error = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.repos = ["demo/hello", "outsider/secret"] })
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("outsider/secret") == true, "\(error?.message ?? "")")
        let list: Netclode_V1_ListSessionsResponse = try await fixture.call("ListSessions", Netclode_V1_ListSessionsRequest())
        #expect(list.sessions.isEmpty)
        let stats = try await fixture.forge.stats()
        #expect(stats.mints == stats.revocations, "no token left behind")
        let sessions = fixture.controlPlane.dataDirectory.appendingPathComponent("sessions")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []).isEmpty, "no sandbox directory left behind")
        await fixture.finish()
    }

    @Test func aCloneThatFailsAtRunTimeLeavesTheSessionUsable() async throws {
        let fixture = try await SessionsFixture.start()
        // The repository exists for the API (so the token is minted) but git cannot serve it.
        try FileManager.default.removeItem(at: fixture.forge.bareRepository("demo/widgets").appendingPathComponent("objects"))
        let created = try await fixture.create(repos: ["demo/hello", "demo/widgets"])
        let ready = try await fixture.waitFor(created.id, status: "ready")
        let byRepo = Dictionary(uniqueKeysWithValues: ready.repoStatus.map { ($0.repo, $0) })
        #expect(byRepo[fixture.forge.cloneURL("demo/hello").absoluteString]?.stage == "done")
        let failed = byRepo[fixture.forge.cloneURL("demo/widgets").absoluteString]
        #expect(failed?.stage == "error")
        #expect(failed?.message.isEmpty == false)
        #expect(failed?.message.contains("ghs_") == false)
        let log = try await fixture.exec(created.id, ["git", "log", "--oneline"], workdir: "demo__hello")
        #expect(log.exitCode == 0)
        await fixture.finish()
    }

    @Test func aRestartBringsBackSessionsHistoryAndAgents() async throws {
        var fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"], access: "write")
        try await fixture.waitFor(created.id, status: "ready")
        let before = try await fixture.watch(created.id) { items in items.contains { $0.type == "session.updated" } }
        let lastCursor = try #require(before.last { $0.type == "agent.event" }?.cursor)

        await fixture.controlPlane.stop()
        fixture.controlPlane = try await fixture.controlPlane.restart()
        fixture.client = SessionsFixture.client(for: fixture.controlPlane)

        let restored = try await fixture.waitFor(created.id, status: "ready")
        #expect(restored.repoAccess == "write")
        let history = try await fixture.watch(created.id) { items in items.contains { $0.type == "session.updated" } }
        let replayed = history.filter { $0.type == "agent.event" }.map(\.cursor)
        #expect(Array(replayed.prefix(before.filter { $0.type == "agent.event" }.count)) == before.filter { $0.type == "agent.event" }.map(\.cursor), "history comes back with its cursors")
        let resumed = try await fixture.watch(created.id, after: lastCursor) { items in items.contains { $0.type == "session.updated" } }
        #expect(resumed.filter { $0.type == "agent.event" }.allSatisfy { Int64($0.cursor)! > Int64(lastCursor)! })

        let push = try await fixture.exec(created.id, ["sh", "-c", "git commit -q --allow-empty -m after-restart && git push origin HEAD:main"])
        #expect(push.exitCode == 0, "the agent is back with fresh credentials: \(push.stderr)")
        await fixture.finish()
    }

    @Test func withoutAGitHubAppSessionsWithoutReposStillWork() async throws {
        let fixture = try await SessionsFixture.start(withGitHubApp: false)
        let created = try await fixture.create(repos: [])
        #expect(!created.hasRepoAccess || created.repoAccess.isEmpty)
        try await fixture.waitFor(created.id, status: "ready")
        let echo = try await fixture.exec(created.id, ["echo", "hello"])
        #expect(echo.stdout == "hello\n")
        let error = await fixture.error("CreateSession", Netclode_V1_CreateSessionRequest.with { $0.repos = ["demo/hello"] })
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.hasPrefix("GitHub App not configured: missing GITHUB_APP_ID") == true, "\(error?.message ?? "")")
        await fixture.finish()
    }
}

extension Netclode_V1_Session {
    var hasRepoAccess: Bool { !repoAccess.isEmpty }
}
