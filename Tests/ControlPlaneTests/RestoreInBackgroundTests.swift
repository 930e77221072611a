import ConnectRPC
import Foundation
import NetclodeProto
import Testing
import TestSupport

/// A restart with running sessions: the server answers at once and brings the sessions back in
/// the background, reporting progress in `/readyz`.
///
/// Before, restoring ran before the server accepted connections, while each restored start held
/// its start slot until its agent dialled back — which it could not do — so every batch of
/// `NETCLODE_MAX_CONCURRENT_STARTS` sessions waited out the 60 s slot timeout: 13 sessions with a
/// limit of 2 kept `/healthz` silent for 361 s. With a limit of 1, three sessions would keep the
/// restarted server from printing its ready line for 120 s (the harness gives it 30 s).
@Suite("Restore in the background after a restart", .serialized)
struct RestoreInBackgroundTests {
    @Test func restartAnswersAtOnceAndRestoresEverySession() async throws {
        let forge = try await ForgeProcess.start(repos: ["demo/hello", "demo/widgets"])
        let environment = ControlPlaneProcess.githubEnvironment(for: forge).merging(["NETCLODE_MAX_CONCURRENT_STARTS": "1"]) { _, new in new }
        var fixture: SessionsFixture
        do {
            let controlPlane = try await ControlPlaneProcess.start(environment: environment)
            fixture = SessionsFixture(forge: forge, controlPlane: controlPlane, client: SessionsFixture.client(for: controlPlane))
        } catch {
            await forge.stop()
            throw error
        }
        do {
            var ids: [String] = []
            for index in 1...3 {
                let session = try await fixture.create(repos: ["demo/hello", "demo/widgets"], access: "read", name: "restore-\(index)")
                ids.append(session.id)
            }
            for id in ids { try await fixture.waitFor(id, status: "ready", timeout: .seconds(120)) }

            await fixture.controlPlane.stop()
            let restarted = ContinuousClock.now
            fixture.controlPlane = try await fixture.controlPlane.restart()
            fixture.client = SessionsFixture.client(for: fixture.controlPlane)
            let health = try await fixture.controlPlane.get("/healthz")
            let answeredAfter = ContinuousClock.now - restarted
            #expect(health.status == 200)
            // Generous for a loaded machine; without the fix this is at least 120 s (and the
            // restart above already failed waiting 30 s for the ready line).
            #expect(answeredAfter < .seconds(25), "/healthz answered \(answeredAfter) after the restart")

            // Every session comes back: its agent is attached again and runs commands.
            let deadline = ContinuousClock.now + .seconds(120)
            var readiness = try await fixture.controlPlane.get("/readyz")
            while !readiness.body.contains("restored (3 of 3 started)"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                readiness = try await fixture.controlPlane.get("/readyz")
            }
            #expect(readiness.status == 200)
            #expect(readiness.body.contains(#""sessions":"restored (3 of 3 started)""#), "\(readiness.body)")
            for id in ids {
                let result = try await fixture.exec(id, ["git", "-C", "demo__hello", "fetch", "-q", "origin"])
                #expect(result.exitCode == 0, "session \(id) fetches with its fresh token after the restart: \(result.stderr)")
                #expect(try await fixture.session(id).status == "ready")
            }
            await fixture.finish()
        } catch {
            await fixture.finish()
            throw error
        }
    }
}
