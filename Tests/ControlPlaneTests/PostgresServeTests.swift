import Foundation
import NetclodeClient
import NetclodeProto
import Testing
import TestSupport

/// `netclode serve` on PostgreSQL (`NETCLODE_DATABASE_URL`): a session made, cloned and used;
/// after a restart it is back from the database with its history, and its agent works again.
@Suite("Serve on PostgreSQL", .serialized)
struct PostgresServeTests {
    @Test("a session survives a restart with its history, from PostgreSQL",
          .enabled(if: PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)"))
    func sessionsLiveInPostgres() async throws {
        try await PostgresServer.with { database in
            var fixture = try await SessionsFixture.start(environment: ["NETCLODE_DATABASE_URL": database.url])
            do {
                let created = try await fixture.create(repos: ["demo/hello"], access: "write")
                try await fixture.waitFor(created.id, status: "ready")
                let before = try await fixture.watch(created.id) { items in items.contains { $0.event.kind == "repo_clone" && $0.event.stage == "done" } }
                #expect(!FileManager.default.fileExists(atPath: fixture.controlPlane.dataDirectory.appendingPathComponent("netclode.sqlite").path),
                        "no SQLite file when the store is PostgreSQL")

                await fixture.controlPlane.stop()
                fixture.controlPlane = try await fixture.controlPlane.restart()
                fixture.client = SessionsFixture.client(for: fixture.controlPlane)
                let restored = try await fixture.session(created.id)
                #expect(restored.repos == created.repos)
                let after = try await fixture.watch(created.id) { items in items.count >= before.count }
                #expect(after.prefix(before.count).map(\.cursor) == before.map(\.cursor), "the history comes back with the same cursors")
                let deadline = ContinuousClock.now + .seconds(120)
                var result = try? await fixture.exec(created.id, ["git", "fetch", "-q", "origin"])
                while result?.exitCode != 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(500))
                    result = try? await fixture.exec(created.id, ["git", "fetch", "-q", "origin"])
                }
                #expect(result?.exitCode == 0, "the restored sandbox fetches: \(result?.stderr ?? "no answer")")
            } catch {
                await fixture.finish()
                throw error
            }
            await fixture.finish()
        }
    }
}
