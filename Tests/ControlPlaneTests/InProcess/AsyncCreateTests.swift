@testable import ControlPlane
import GitHubApp
import NetclodeProto
import Storage
import SwiftProtobuf
import Testing
import TestSupport

extension InProcessManagerTests {
    /// `CreateSession` answers once the session is valid, its tokens exist and it is stored; the
    /// sandbox starts in the background, and a start that fails there is reported on the session.
    @Suite("CreateSession answers before the sandbox starts", .serialized)
    struct AsyncCreateTests {
        @Test func theAnswerComesWhileTheSandboxIsStillStarting() async throws {
            try await ManagerFixture.with { fixture in
                await fixture.runtime.holdStarts()
                let session = try await fixture.create(access: "read")
                #expect(session.status == "creating")
                #expect(try await fixture.manager.session(session.id).status == "creating", "stored before the answer")
                #expect(try await fixture.forge.stats().mints == 1, "its token was minted before the answer")
                try await fixture.eventually("the background start reaches the runtime") { await fixture.runtime.heldStarts == 1 }
                #expect(await !fixture.runtime.isRunning(session.id))

                await fixture.runtime.releaseStarts()
                try await fixture.eventually("the sandbox runs") { await fixture.runtime.isRunning(session.id) }
                let agent = try await ScriptedAgent.attach(session.id, manager: fixture.manager, runtime: fixture.runtime)
                #expect(try await agent.nextCredentials()?.credentials.repoAccess == "read")
            }
        }

        @Test func aStartThatFailsLeavesTheSessionInErrorWithAnEventAndNoLiveToken() async throws {
            try await ManagerFixture.with { fixture in
                await fixture.runtime.failStarts(with: "no room for another sandbox")
                let session = try await fixture.create()
                #expect(session.status == "creating")
                try await fixture.eventually("the session fails") { try await fixture.manager.session(session.id).status == "error" }
                let failed = try await fixture.manager.session(session.id)
                #expect(failed.error == "the sandbox could not start: no room for another sandbox", "\(failed.error)")

                let events = try await fixture.manager.store.events(sessionID: session.id, after: 0, limit: 100)
                    .map { try Netclode_V1_AgentEvent(serializedBytes: $0.payload) }
                #expect(events.contains { $0.kind == "error" && $0.message == failed.error }, "\(events.map(\.kind))")
                let stats = try await fixture.forge.stats()
                #expect(stats.mints == 1 && stats.revocations == 1, "the failed start's token is revoked: \(stats.mints) minted, \(stats.revocations) revoked")

                // The runtime works again: a new session starts.
                await fixture.runtime.failStarts(with: nil)
                let next = try await fixture.create()
                try await fixture.eventually("the next sandbox runs") { await fixture.runtime.isRunning(next.id) }
            }
        }

        /// A session waiting for a start slot is deleted: the delete does not wait for the slot, and
        /// the sandbox never starts.
        @Test func deletingAQueuedSessionCancelsItsStart() async throws {
            try await ManagerFixture.with(options: { $0.maxConcurrentStarts = 1 }) { fixture in
                await fixture.runtime.holdStarts()
                let first = try await fixture.create()
                try await fixture.eventually("the first start holds the slot") { await fixture.runtime.heldStarts == 1 }
                let queued = try await fixture.create()
                #expect(await fixture.manager.starts.queued == 1)

                let deleted = try await fixture.manager.deleteSession(queued.id)
                #expect(deleted.status == "deleted")
                #expect(await fixture.manager.starts.queued == 0, "its place in the queue is given back")
                await fixture.runtime.releaseStarts()
                try await fixture.eventually("the first sandbox runs") { await fixture.runtime.isRunning(first.id) }
                #expect(await fixture.runtime.specs[queued.id] == nil, "the deleted session's sandbox never started")
                #expect(try await fixture.manager.session(queued.id).status == "deleted")
            }
        }
    }
}
