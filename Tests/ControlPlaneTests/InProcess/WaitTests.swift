@testable import ControlPlane
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

extension InProcessManagerTests {
    /// The waits of the control plane: each waiter is woken by what it waits for, by its own
    /// deadline, or by its caller going away — never by another waiter's deadline, and never left
    /// parked after its caller is gone.
    @Suite("Waits: deadlines and cancellation")
    struct WaitTests {
        actor Owner {
            let queue = WaitQueue<String, Int>()
            func wait(_ tag: String, timeout: Duration? = nil) async throws -> Int { try await queue.wait(tag, timeout: timeout) }
            func waiting() -> Int { queue.count() }
        }

        @Test func aCancelledWaiterLeavesTheQueueAtOnce() async throws {
            let owner = Owner()
            let waiter = Task { try await owner.wait("a") }
            try await eventually { await owner.waiting() == 1 }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            #expect(await owner.waiting() == 0)
            #expect(owner.queue.resumeFirst(returning: 1) == nil, "nothing is handed to a waiter that left")
        }

        @Test func oneWaitersDeadlineDoesNotWakeAnother() async throws {
            let owner = Owner()
            let patient = Task { try await owner.wait("s", timeout: .seconds(600)) }
            await #expect(throws: WaitTimeout.self) { _ = try await owner.wait("s", timeout: .milliseconds(50)) }
            try await eventually { await owner.waiting() == 1 }
            #expect(owner.queue.resumeAll(where: { $0 == "s" }, returning: 7) == 1)
            #expect(try await patient.value == 7)
        }

        /// The attach wait of one caller timing out used to release every caller waiting for that
        /// session's agent, so an Exec waiting 15 s failed as soon as an access change's 10 s passed.
        @Test func attachWaitTimeoutReleasesOnlyItsOwnCaller() async throws {
            let agents = AgentConnections()
            let patient = Task { await agents.waitUntilAttached("s1", timeout: .seconds(600)) }
            #expect(await agents.waitUntilAttached("s1", timeout: .milliseconds(50)) == false)
            try await Task.sleep(for: .milliseconds(100))  // let a wrongly released waiter return
            _ = await agents.attach(sessionID: "s1", initial: [])
            #expect(await patient.value == true, "the patient waiter saw the agent attach")
        }

        /// An Exec whose caller disconnected used to keep its continuation until the command's
        /// timeout (up to an hour).
        @Test func aRequestWhoseCallerWentAwayStopsWaiting() async throws {
            let agents = AgentConnections()
            _ = await agents.attach(sessionID: "s2", initial: [])
            let request = Task {
                try await agents.request(sessionID: "s2", .make(.exec(.with { $0.command = ["sleep", "3600"] })), timeout: .seconds(3600))
            }
            try await Task.sleep(for: .milliseconds(50))
            request.cancel()
            let outcome = try await withDeadline(.seconds(30)) { await request.result }
            let result = try #require(outcome, "the cancelled request returned")
            #expect(throws: ControlPlaneError.self) { try result.get() }
        }

        /// A start that gave up waiting for a slot must not be handed one later.
        @Test func anAbandonedStartIsNotHandedASlot() async throws {
            let limiter = StartLimiter(limit: 1, queueLimit: 4, slotTimeout: .seconds(600))
            try await limiter.acquire("a", queueing: .bounded)
            let waiting = Task { try await limiter.acquire("b", queueing: .bounded) }
            try await eventually { await limiter.queued == 1 }
            waiting.cancel()
            await #expect(throws: ControlPlaneError.self) { _ = try await waiting.value }
            #expect(await limiter.queued == 0)
            await limiter.release("a")
            #expect(await limiter.starting == 0, "the slot went to nobody")
            #expect(try await limiter.acquire("c", queueing: .bounded), "the next start takes it at once")
        }

        private func eventually(_ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while try await !condition() {
                guard ContinuousClock.now < deadline else { Issue.record("condition never held"); return }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
