@testable import ControlPlane
import GitHubApp
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

extension InProcessManagerTests {
    /// Operations of one session run in turn, and each changes only what it means to change, however
    /// the awaits inside them interleave with the agent's reports and with each other.
    @Suite("Session operations: one at a time, no lost update", .serialized)
    struct SessionOrderingTests {
        /// An access change waits for the agent's acknowledgement; a clone that finishes meanwhile must
        /// keep its `done` (the change used to save the record it read before waiting, whole).
        @Test func accessChangeKeepsCloneProgressThatArrivedWhileItWaited() async throws {
            try await ManagerFixture.with { fixture in
                let session = try await fixture.create(access: "write")
                let agent = try await ScriptedAgent.attach(session.id, manager: fixture.manager, runtime: fixture.runtime)
                _ = try #require(try await agent.nextCredentials(), "the initial credentials")
                let repo = fixture.cloneURL("demo/hello")
                try await agent.clone(repo, stage: "starting")

                let change = Task {
                    try await fixture.manager.updateRepoAccess(.with { $0.sessionID = session.id; $0.repoAccess = "read" })
                }
                let update = try #require(try await agent.nextCredentials(), "the read credentials")
                #expect(update.credentials.repoAccess == "read")
                try await agent.clone(repo, stage: "done")  // finishes while the change waits for the ack
                try await agent.acknowledge(update.id)
                let response = try await change.value
                #expect(response.applied)

                let after = try await fixture.manager.session(session.id)
                #expect(after.repoAccess == "read")
                #expect(after.repoStatus.map(\.stage) == ["done"], "the clone's done survives the access change: \(after.repoStatus)")
                #expect(after.status == "ready")
            }
        }

        /// A pause that arrives while a resume is starting the sandbox runs after it, so the session
        /// ends paused with no sandbox and no live token (it used to stop nothing, then the resume
        /// started a sandbox behind its back).
        @Test func pauseDuringResumeLeavesNoSandboxAndNoToken() async throws {
            try await ManagerFixture.with { fixture in
                let session = try await fixture.create(access: "write")
                _ = try await ScriptedAgent.attach(session.id, manager: fixture.manager, runtime: fixture.runtime)
                _ = try await fixture.manager.pauseSession(session.id)

                await fixture.runtime.holdStarts()
                let resume = Task { try await fixture.manager.resumeSession(session.id) }
                try await fixture.eventually("the resume is starting the sandbox") { await fixture.runtime.heldStarts == 1 }
                let pause = Task { try await fixture.manager.pauseSession(session.id) }
                try await fixture.eventually("the pause waits for its turn") { await fixture.manager.queuedOperations(for: session.id) == 1 }
                await fixture.runtime.releaseStarts()
                _ = try await resume.value
                let paused = try await pause.value

                #expect(paused.status == "paused")
                #expect(await !fixture.runtime.isRunning(session.id), "no sandbox runs for a paused session")
                #expect(await fixture.manager.github.broker?.tokens(for: session.id).isEmpty == true, "no token is held for a paused session")
                let stats = try await fixture.forge.stats()
                #expect(stats.mints == stats.revocations, "every minted token was revoked: \(stats)")
            }
        }

        /// A refresh minted for the write lease, delivered after an access change to read was applied,
        /// must not reach the agent: it would put the old level back and be revoked right after,
        /// leaving git without a working credential.
        @Test func refreshMintedBeforeAnAccessChangeIsNotDeliveredAfterIt() async throws {
            try await ManagerFixture.with { fixture in
                let session = try await fixture.create(access: "write")
                let agent = try await ScriptedAgent.attach(session.id, manager: fixture.manager, runtime: fixture.runtime)
                _ = try #require(try await agent.nextCredentials(), "the initial credentials")
                let broker = try #require(await fixture.manager.github.broker)
                let repository = try RepositoryReference.parse("demo/hello", webURL: fixture.forge.baseURL)
                // What a refresh of the write lease mints; its delivery is late.
                let refreshed = try await broker.prepare(session: session.id, repositories: [repository], access: .write)

                let change = Task {
                    try await fixture.manager.updateRepoAccess(.with { $0.sessionID = session.id; $0.repoAccess = "read" })
                }
                let update = try #require(try await agent.nextCredentials(), "the read credentials")
                try await agent.acknowledge(update.id)
                _ = try await change.value

                await #expect(throws: TokenRenewalSuperseded.self) {
                    try await fixture.manager.deliver(.renewed(refreshed), to: session.id)
                }
                #expect(try await agent.next(timeout: .milliseconds(300)) == nil, "the agent keeps the read credentials")
                #expect(await broker.isCurrent(await broker.tokens(for: session.id), session: session.id))
                await broker.discard(refreshed, session: session.id)
            }
        }
    }
}
