import Foundation
import GitHubApp
import Testing
import TestSupport
@testable import ControlPlane

/// `/healthz` says the process serves; `/readyz` says whether it can serve sessions, and states the
/// GitHub App either way.
@Suite("Readiness", .serialized)
struct ReadinessTests {
    @Test func readyWithTheGitHubAppConfigured() async throws {
        let fixture = try await SessionsFixture.start()
        let health = try await fixture.controlPlane.get("/healthz")
        #expect(health.status == 200)
        #expect(health.body == "ok\n")
        var ready = try await fixture.controlPlane.get("/readyz")
        let deadline = ContinuousClock.now + .seconds(30)
        while !ready.body.contains("restored"), ContinuousClock.now < deadline {  // the restore runs in the background
            try await Task.sleep(for: .milliseconds(20))
            ready = try await fixture.controlPlane.get("/readyz")
        }
        #expect(ready.status == 200)
        #expect(ready.contentType == "application/json")
        #expect(try Self.fields(ready.body) == ["status": "ready", "database": "ok", "githubApp": "configured", "sessions": "restored (0 of 0 started)",
                                                      "githubBot": "off: GITHUB_WEBHOOK_SECRET is not set"])
        await fixture.finish()
    }

    @Test func readyWithoutTheGitHubAppAndSaysWhy() async throws {
        let fixture = try await SessionsFixture.start(withGitHubApp: false)
        let ready = try await fixture.controlPlane.get("/readyz")
        #expect(ready.status == 200, "sessions without repositories still work")
        let fields = try Self.fields(ready.body)
        #expect(fields["status"] == "ready")
        #expect(fields["database"] == "ok")
        let github = fields["githubApp"] ?? ""
        #expect(github.hasPrefix("not configured: "), "\(github)")
        #expect(github.contains("GITHUB_APP_ID"), "names what is missing: \(github)")
        await fixture.finish()
    }

    /// The not-ready states cannot be caught from outside a real process (loading lasts
    /// milliseconds), so they are checked on a server made in this process and never run.
    @Test func notReadyBeforeStartAndAfterTheStoreCloses() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-readyz") { directory in
            let environment = EnvironmentSettings([
                "NETCLODE_API_TOKEN": ControlPlaneProcess.apiToken,
                "NETCLODE_DATA_DIR": directory.url.path,
                "NETCLODE_SANDBOX": "none",
            ])
            let logger = LogCapture().logger()
            let settings = try ControlPlaneSettings(settings: environment)
            let server = try await ControlPlaneServer.make(
                settings: settings, github: try GitHubAccess.load(settings: environment, logger: logger),
                store: try await ControlPlaneServer.openStore(settings: settings, logger: logger),
                runtime: ControlPlaneServer.localRuntime(settings: settings, agentExecutable: "/bin/false", hiddenPaths: [], logger: logger), logger: logger
            )
            let starting = await Readiness.check(server.manager)
            #expect(!starting.isReady)
            #expect(starting.status == "not ready")
            #expect(starting.sessions == "loading")
            #expect(starting.database == "ok")

            try await server.manager.start(controlPlaneURL: URL(string: "http://127.0.0.1:9")!)
            #expect(await Readiness.check(server.manager).isReady)
            // Nothing to restore: the background restore finishes at once.
            let deadline = ContinuousClock.now + .seconds(30)
            while await Readiness.check(server.manager).sessions != "restored (0 of 0 started)", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await Readiness.check(server.manager).sessions == "restored (0 of 0 started)")

            await server.manager.shutdown()
            let closed = await Readiness.check(server.manager)
            #expect(!closed.isReady)
            #expect(closed.database.hasPrefix("error: "), "\(closed.database)")
        }
    }

    static func fields(_ body: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(body.utf8))
    }
}
