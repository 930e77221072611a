@testable import ControlPlane
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

extension InProcessManagerTests {
    /// Shutdown closes the door before it stops anything: a request that arrives while sessions are
    /// shutting down is refused, and one already running finishes before tokens are revoked, so no
    /// token is minted after the broker stopped.
    @Suite("Shutdown gate", .serialized)
    struct ShutdownGateTests {
        @Test func createDuringShutdownIsRefusedAndNoTokenOutlivesIt() async throws {
            let fixture = try await ManagerFixture.start()
            do {
                await fixture.runtime.holdStarts()
                let inFlight = Task { try await fixture.create(access: "read") }
                try await fixture.eventually("the first create is starting its sandbox") { await fixture.runtime.heldStarts == 1 }

                let shutdown = Task { await fixture.manager.shutdown() }
                try await fixture.eventually("shutdown has begun") { await fixture.manager.isShuttingDown }
                do {
                    _ = try await fixture.create(access: "read")
                    Issue.record("a create during shutdown succeeded")
                } catch let error as ControlPlaneError {
                    guard case .unavailable(let message) = error else { Issue.record("unexpected \(error)"); return }
                    #expect(message.contains("shutting down"), "\(message)")
                }

                await fixture.runtime.releaseStarts()
                _ = try await inFlight.value  // it was let finish
                await shutdown.value
                let stats = try await fixture.forge.stats()
                #expect(stats.mints == 1, "only the create that was running minted: \(stats)")
                #expect(stats.revocations == stats.mints, "every token minted was revoked by the shutdown: \(stats)")
            } catch {
                await fixture.manager.shutdown()
                await fixture.forge.stop()
                fixture.directory.remove()
                throw error
            }
            await fixture.forge.stop()
            fixture.directory.remove()
        }
    }
}
