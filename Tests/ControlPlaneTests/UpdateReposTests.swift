import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Repositories added to and removed from sessions as they go, through real agents, git and the
/// forge.
@Suite("UpdateRepos end to end", .serialized)
struct UpdateReposTests {
    func updateRepos(_ fixture: SessionsFixture, _ id: String, add: [String] = [], remove: [String] = [], deleteClones: Bool = false) async throws -> Netclode_V1_UpdateReposResponse {
        try await fixture.call("UpdateRepos", request(id, add: add, remove: remove, deleteClones: deleteClones))
    }

    func request(_ id: String, add: [String] = [], remove: [String] = [], deleteClones: Bool = false) -> Netclode_V1_UpdateReposRequest {
        .with {
            $0.sessionID = id
            $0.add = add
            $0.remove = remove
            $0.deleteClones = deleteClones
        }
    }

    /// A single-repo session gains a second repository: the first stays in the workspace root, the
    /// second is cloned into `owner__repo` (and hidden from the first's `git status`); removing the
    /// first makes it unreachable at once while its clone stays; `deleteClones` removes a clone.
    @Test func addCloneRemoveAndDelete() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"], access: "read")
        try await fixture.waitFor(created.id, status: "ready")
        let mintsBefore = try await fixture.forge.stats().mints

        let added = try await updateRepos(fixture, created.id, add: ["demo/widgets.git"])
        #expect(added.applied)
        #expect(added.session.repos == [fixture.forge.cloneURL("demo/hello").absoluteString, fixture.forge.cloneURL("demo/widgets").absoluteString])
        let clone = try await fixture.watch(created.id) { items in
            items.contains { $0.event.kind == "repo_clone" && $0.event.repo.contains("demo/widgets") && ["done", "error"].contains($0.event.stage) }
        }
        let done = try #require(clone.last { $0.event.kind == "repo_clone" && $0.event.repo.contains("demo/widgets") }?.event)
        #expect(done.stage == "done", "\(done.message)")
        #expect(clone.contains { $0.event.kind == "repos" && $0.event.message == "Repositories added demo/widgets" })
        let layout = try await fixture.exec(created.id, ["sh", "-c", "git -C demo__widgets remote get-url origin && git remote get-url origin && git status --porcelain"])
        #expect(layout.exitCode == 0, "\(layout.stderr)")
        #expect(layout.stdout == "\(fixture.forge.cloneURL("demo/widgets").absoluteString)\n\(fixture.forge.cloneURL("demo/hello").absoluteString)\n",
                "the first repository stays in the root, the new one is in owner__repo, and the root's status is clean: \(layout.stdout)")
        let after = try await fixture.session(created.id)
        #expect(after.repoAccess == "read")
        #expect(after.status == "ready")
        let tokensAfterAdd = try await fixture.forge.stats()
        #expect(tokensAfterAdd.mints == mintsBefore + 1 && tokensAfterAdd.revocations == 1, "one new token for the new set, the old one revoked")

        let removed = try await updateRepos(fixture, created.id, remove: ["demo/hello"])
        #expect(removed.session.repos == [fixture.forge.cloneURL("demo/widgets").absoluteString])
        #expect(!removed.session.repoStatus.contains { $0.repo.contains("demo/hello") })
        let fetch = try await fixture.exec(created.id, ["sh", "-c", "git fetch -q origin && echo fetched"])
        #expect(fetch.exitCode != 0, "a removed repository is unreachable with the session's credentials: \(fetch.stdout)")
        let stillThere = try await fixture.exec(created.id, ["sh", "-c", "test -d .git && git -C demo__widgets fetch -q origin && echo ok"])
        #expect(stillThere.stdout == "ok\n", "its clone stays; the remaining repository still fetches: \(stillThere.stderr)")

        let readded = try await updateRepos(fixture, created.id, add: ["demo/hello"], remove: ["demo/widgets"], deleteClones: true)
        #expect(readded.applied)
        let gone = try await fixture.exec(created.id, ["sh", "-c", "test -e demo__widgets && echo present || echo gone"])
        #expect(gone.stdout == "gone\n")
        let back = try await fixture.exec(created.id, ["sh", "-c", "git fetch -q origin && echo fetched"])
        #expect(back.stdout == "fetched\n", "the root repository is reachable again: \(back.stderr)")

        let stats = try await fixture.forge.stats()
        #expect(stats.revocations == stats.mints - 1, "every token but the current one is revoked")
        await fixture.finish()
    }

    /// Refusals name what was wrong and change nothing: no repository, no token left behind.
    @Test func refusalsChangeNothing() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello", "demo/widgets"], access: "write")
        try await fixture.waitFor(created.id, status: "ready")
        let before = try await fixture.session(created.id)
        let statsBefore = try await fixture.forge.stats()
        let cases: [(Netclode_V1_UpdateReposRequest, Code, String)] = [
            (request(created.id), .invalidArgument, "nothing to change"),
            (request(created.id, add: ["outsider/secret"]), .notFound, "Repository not found: outsider/secret"),
            (request(created.id, add: ["demo/nope"]), .permissionDenied, "demo/nope"),
            (request(created.id, add: ["not a repo"]), .invalidArgument, "add: "),
            (request(created.id, remove: ["other/tools"]), .invalidArgument, "remove: other/tools is not a repository of session"),
            (request(created.id, add: ["demo/hello"]), .invalidArgument, "add: demo/hello is already a repository"),
            (request(created.id, add: ["other/tools"], remove: ["other/tools"]), .invalidArgument, "other/tools is both added and removed"),
            (request(created.id, remove: ["demo/hello", "demo/widgets"]), .invalidArgument, "keeps at least one repository"),
            (request("nope", add: ["other/tools"]), .notFound, "session \"nope\" not found"),
        ]
        for (request, code, words) in cases {
            let error = await fixture.error("UpdateRepos", request)
            #expect(error?.code == code, "\(request.add) \(request.remove): \(String(describing: error))")
            #expect(error?.message.contains(words) == true, "\(String(describing: error?.message))")
        }
        let after = try await fixture.session(created.id)
        #expect(after.repos == before.repos)
        let stats = try await fixture.forge.stats()
        #expect(stats.mints - statsBefore.mints == stats.revocations - statsBefore.revocations, "every token minted while validating was revoked")
        await fixture.finish()
    }

    /// A paused session stores the new set; the resumed agent clones it.
    @Test func aPausedSessionClonesTheNewSetAtResume() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")
        let _: Netclode_V1_PauseSessionResponse = try await fixture.call("PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = created.id })
        let refused = await fixture.error("UpdateRepos", request(created.id, remove: ["demo/hello"], deleteClones: true))
        #expect(refused?.code == .failedPrecondition && refused?.message.contains("resume it first") == true, "\(String(describing: refused))")

        let stored = try await updateRepos(fixture, created.id, add: ["other/tools"])
        #expect(!stored.applied && stored.hasApplied)
        #expect(stored.session.status == "paused")
        let _: Netclode_V1_ResumeSessionResponse = try await fixture.call("ResumeSession", Netclode_V1_ResumeSessionRequest.with { $0.sessionID = created.id })
        let ready = try await fixture.waitFor(created.id, status: "ready")
        #expect(ready.repoStatus.map(\.stage) == ["done", "done"], "\(ready.repoStatus)")
        let layout = try await fixture.exec(created.id, ["sh", "-c", "git -C other__tools remote get-url origin"])
        #expect(layout.stdout == "\(fixture.forge.cloneURL("other/tools").absoluteString)\n", "\(layout.stderr)")
        await fixture.finish()
    }
}

private typealias Code = ConnectError.Code
