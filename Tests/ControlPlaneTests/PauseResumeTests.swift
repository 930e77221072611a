import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Pause revokes the tokens and stops the sandbox; resume mints fresh ones and finds the clones.
@Suite("Pause and resume end to end", .serialized)
struct PauseResumeTests {
    @Test func pauseRevokesResumeKeepsTheWorkspace() async throws {
        let fixture = try await SessionsFixture.start()
        let created = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(created.id, status: "ready")
        let marker = try await fixture.exec(created.id, ["sh", "-c", "echo kept > UNCOMMITTED.txt && printf %s \"$GITHUB_TOKEN\" | base64 -w0"])
        let token = String(decoding: Data(base64Encoded: marker.stdout) ?? Data(), as: UTF8.self)
        #expect(token.hasPrefix("ghs_"))

        let paused: Netclode_V1_PauseSessionResponse = try await fixture.call("PauseSession", Netclode_V1_PauseSessionRequest.with { $0.sessionID = created.id })
        #expect(paused.session.status == "paused")
        let basic = Data("x-access-token:\(token)".utf8).base64EncodedString()
        let direct = try await Git.run(["-c", "http.extraHeader=Authorization: Basic \(basic)", "ls-remote", fixture.forge.cloneURL("demo/hello").absoluteString])
        #expect(direct.exitCode != 0, "a paused session's token is revoked")
        #expect(await fixture.error("Exec", Netclode_V1_ExecRequest.with { $0.sessionID = created.id; $0.command = ["true"] })?.code == .failedPrecondition)
        var stats = try await fixture.forge.stats()
        #expect(stats.mints == stats.revocations, "no live token while paused")

        // An access change while paused is stored and applied at resume.
        let changed: Netclode_V1_UpdateRepoAccessResponse = try await fixture.call("UpdateRepoAccess", Netclode_V1_UpdateRepoAccessRequest.with { $0.sessionID = created.id; $0.repoAccess = "write" })
        #expect(changed.hasApplied && changed.applied == false)

        let resumed: Netclode_V1_ResumeSessionResponse = try await fixture.call("ResumeSession", Netclode_V1_ResumeSessionRequest.with { $0.sessionID = created.id })
        #expect(resumed.session.repoAccess == "write")
        let ready = try await fixture.waitFor(created.id, status: "ready")
        #expect(ready.repoStatus.first?.message.contains("Already cloned") == true, "\(ready.repoStatus)")
        let kept = try await fixture.exec(created.id, ["cat", "UNCOMMITTED.txt"])
        #expect(kept.stdout == "kept\n", "the workspace survived the pause")
        let push = try await fixture.exec(created.id, ["sh", "-c", "git commit -q --allow-empty -m resumed && git push origin HEAD:main"])
        #expect(push.exitCode == 0, "write applied at resume: \(push.stderr)")
        stats = try await fixture.forge.stats()
        #expect(stats.mints == 2, "one mint at create, one at resume")

        let deleted: Netclode_V1_DeleteSessionResponse = try await fixture.call("DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = created.id })
        #expect(deleted.session.status == "deleted")
        let again: Netclode_V1_DeleteSessionResponse = try await fixture.call("DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = created.id })
        #expect(again.session.status == "deleted", "deleting twice is not an error")
        let directory = fixture.controlPlane.dataDirectory.appendingPathComponent("sessions/\(created.id)")
        #expect(!FileManager.default.fileExists(atPath: directory.path), "the session directory is removed")
        stats = try await fixture.forge.stats()
        #expect(stats.mints == stats.revocations, "delete revoked the last token")
        await fixture.finish()
    }
}
