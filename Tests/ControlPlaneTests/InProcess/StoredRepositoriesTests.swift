@testable import ControlPlane
import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf
import Testing
import TestSupport

/// Repositories are stored as `owner/repo` and shown as clone URLs under the web URL of the
/// moment: a control plane started with another `GITHUB_WEB_URL` (or `netclode dev`'s forge on
/// another port) clones the stored sessions from there.
@Suite("Stored repositories", .serialized)
struct StoredRepositoriesTests {
    @Test func storedAsNamesShownUnderTheCurrentWebURL() async throws {
        let forge = try await ForgeProcess.start(repos: ["demo/hello", "demo/widgets"])
        let directory = try TemporaryDirectory(prefix: "netclode-stored-repos")
        defer { directory.remove() }
        var logger = Logger(label: "stored-repos")
        logger.logLevel = .warning
        let path = directory.url.appendingPathComponent("netclode.sqlite").path
        do {
            let github = try GitHubAccess.load(settings: EnvironmentSettings(ControlPlaneProcess.githubEnvironment(for: forge)), logger: logger)
            let first = SessionManager(store: try await SQLiteSessionStore.open(path: path, logger: logger), runtime: ScriptedRuntime(root: directory.url),
                                       github: github, options: .init(credentialMode: .token), logger: logger)
            try await first.start(controlPlaneURL: URL(string: "http://127.0.0.1:9")!)
            let created = try await first.createSession(.with { $0.repos = ["demo/hello", "demo/widgets"] })
            #expect(created.repos == [forge.cloneURL("demo/hello").absoluteString, forge.cloneURL("demo/widgets").absoluteString])
            await first.shutdown()

            let store = try await SQLiteSessionStore.open(path: path, logger: logger)
            let stored = try #require(try await store.session(id: created.id))
            #expect(stored.repos == ["demo/hello", "demo/widgets"])
            try await store.close()

            // The same store under another web URL (the forge moved).
            var moved = ControlPlaneProcess.githubEnvironment(for: forge)
            moved["GITHUB_WEB_URL"] = "http://127.0.0.1:1"
            let second = SessionManager(store: try await SQLiteSessionStore.open(path: path, logger: logger), runtime: ScriptedRuntime(root: directory.url),
                                        github: try GitHubAccess.load(settings: EnvironmentSettings(moved), logger: logger),
                                        options: .init(credentialMode: .token), logger: logger)
            try await second.start(controlPlaneURL: URL(string: "http://127.0.0.1:9")!)
            let reloaded = try await second.session(created.id)
            #expect(reloaded.repos == ["http://127.0.0.1:1/demo/hello.git", "http://127.0.0.1:1/demo/widgets.git"])
            await second.shutdown()
        } catch {
            await forge.stop()
            throw error
        }
        await forge.stop()
    }
}
