import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Changing the access level of a running session: new token, agent switches and acknowledges, old
/// token revoked — with real git pushes deciding whether it worked.
@Suite("Access changes end to end", .serialized)
struct AccessChangeTests {
    func update(_ fixture: SessionsFixture, _ id: String, _ access: String) async throws -> Netclode_V1_UpdateRepoAccessResponse {
        try await fixture.call("UpdateRepoAccess", Netclode_V1_UpdateRepoAccessRequest.with {
            $0.type = "repo.access.update"
            $0.sessionID = id
            $0.repoAccess = access
        })
    }

    func push(_ fixture: SessionsFixture, _ id: String, _ message: String) async throws -> Netclode_V1_ExecResponse {
        try await fixture.exec(id, ["sh", "-c", "git commit -q --allow-empty -m '\(message)' && git push origin HEAD:main"])
    }

    @Test func readToWriteAndBackTakesEffectAtOnce() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")

        let refused = try await push(fixture, created.id, "while read-only")
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("Permission to demo/hello.git denied to"), "git's own message stays: \(refused.stderr)")
        let hint = try await fixture.watch(created.id) { items in items.contains { $0.event.kind == "git" } }
        let gitEvent = try #require(hint.first { $0.event.kind == "git" }?.event)
        #expect(gitEvent.message.contains("read-only"))
        #expect(gitEvent.message.contains("netclode session access \(created.id) write"))

        let mintsBefore = try await fixture.forge.stats().mints
        let upgraded = try await update(fixture, created.id, "write")
        #expect(upgraded.applied == true && upgraded.hasApplied)
        #expect(upgraded.repoAccess == "write")
        #expect(try await fixture.session(created.id).repoAccess == "write")
        let allowed = try await push(fixture, created.id, "after the upgrade")
        #expect(allowed.exitCode == 0, "the same sandbox pushes with the new token: \(allowed.stderr)")
        // The sandbox can read its own token; the test uses that to prove the old one dies.
        let writeToken = try await fixture.exec(created.id, ["sh", "-c", "printf %s \"$GITHUB_TOKEN\" | base64 -w0"])
        let secret = String(decoding: Data(base64Encoded: writeToken.stdout) ?? Data(), as: UTF8.self)
        #expect(secret.hasPrefix("ghs_"))

        let downgraded = try await update(fixture, created.id, "read")
        #expect(downgraded.applied == true)
        let refusedAgain = try await push(fixture, created.id, "after the downgrade")
        #expect(refusedAgain.exitCode != 0)
        #expect(refusedAgain.stderr.contains("Permission to demo/hello.git denied"))
        let basic = Data("x-access-token:\(secret)".utf8).base64EncodedString()
        let direct = try await Git.run(["-c", "http.extraHeader=Authorization: Basic \(basic)", "ls-remote", fixture.forge.cloneURL("demo/hello").absoluteString])
        #expect(direct.exitCode != 0, "the earlier write token is revoked")

        let same = try await update(fixture, created.id, "read")
        #expect(same.applied == true)
        let stats = try await fixture.forge.stats()
        #expect(stats.mints == mintsBefore + 2, "one mint per change, none for a no-op")
        #expect(stats.revocations >= 2, "each retired token revoked")

        let events = try await fixture.watch(created.id) { items in items.filter { $0.event.kind == "repo_access" }.count >= 2 }
        #expect(events.filter { $0.event.kind == "repo_access" }.map(\.event.repoAccess) == ["write", "read"])
        await fixture.finish()
    }

    @Test func anUnreachableAgentLeavesTheOldLevelInForce() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")
        let pids = SandboxProcesses.pids(of: created.id)
        #expect(!pids.isEmpty)
        for pid in pids { kill(pid, SIGSTOP) }
        let error = await fixture.error("UpdateRepoAccess", Netclode_V1_UpdateRepoAccessRequest.with { $0.sessionID = created.id; $0.repoAccess = "write" })
        for pid in pids { kill(pid, SIGCONT) }
        #expect(error?.code == .unavailable, "\(String(describing: error))")
        #expect(error?.message.contains("access stays read") == true)
        #expect(try await fixture.session(created.id).repoAccess == "read")
        let refused = try await push(fixture, created.id, "still read-only")
        #expect(refused.exitCode != 0, "the sandbox still has the read token")
        let stats = try await fixture.forge.stats()
        #expect(stats.mints - stats.revocations == 1, "the unacknowledged token was revoked")

        let recovered = try await update(fixture, created.id, "write")
        #expect(recovered.applied == true)
        #expect(try await push(fixture, created.id, "recovered").exitCode == 0)
        await fixture.finish()
    }

    @Test func concurrentUpdatesAreSerialised() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")
        let levels = ["write", "read", "write", "read", "write"]
        let responses = try await withThrowingTaskGroup(of: Netclode_V1_UpdateRepoAccessResponse.self) { group in
            for level in levels { group.addTask { try await update(fixture, created.id, level) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(responses.count == levels.count)
        #expect(responses.allSatisfy { $0.applied })
        let final = try await fixture.session(created.id).repoAccess
        let push = try await push(fixture, created.id, "final level")
        #expect((push.exitCode == 0) == (final == "write"), "the API's level is the sandbox's level (\(final))")
        let stats = try await fixture.forge.stats()
        #expect(stats.mints - stats.revocations == 1, "exactly one live token")
        await fixture.finish()
    }

    @Test func refusedUpdates() async throws {
        let fixture = try await SessionsFixture.start()
        let noRepos = try await fixture.create(repos: [])
        let bad: [(Netclode_V1_UpdateRepoAccessRequest, ConnectError.Code)] = [
            (.with { $0.sessionID = noRepos.id; $0.repoAccess = "write" }, .failedPrecondition),
            (.with { $0.sessionID = noRepos.id; $0.repoAccess = "admin" }, .invalidArgument),
            (.with { $0.sessionID = "nope"; $0.repoAccess = "write" }, .notFound),
            (.with { $0.type = "session.create"; $0.sessionID = noRepos.id; $0.repoAccess = "write" }, .invalidArgument),
        ]
        for (request, code) in bad {
            #expect(await fixture.error("UpdateRepoAccess", request)?.code == code, "\(request)")
        }
        await fixture.finish()
    }
}
