@testable import ControlPlane
import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf
import Testing
import TestSupport

/// An in-process ``SessionManager`` on a real SQLite store, with tokens from a real forge process
/// and a ``ScriptedRuntime`` whose agents the test plays (see ``ScriptedAgent``).
struct ManagerFixture {
    let forge: ForgeProcess
    let manager: SessionManager
    let runtime: ScriptedRuntime
    let directory: TemporaryDirectory

    static func start(repos: [String] = ["demo/hello"], tokenTTL: Int? = nil, options: (inout SessionManager.Options) -> Void = { _ in }) async throws -> ManagerFixture {
        let forge = try await ForgeProcess.start(repos: repos, tokenTTL: tokenTTL)
        let directory = try TemporaryDirectory(prefix: "netclode-manager")
        do {
            var logger = Logger(label: "manager-test")
            logger.logLevel = .warning
            let github = try GitHubAccess.load(settings: EnvironmentSettings(ControlPlaneProcess.githubEnvironment(for: forge)), logger: logger)
            let store = try await SQLiteSessionStore.open(path: directory.url.appendingPathComponent("netclode.sqlite").path, logger: logger)
            let runtime = ScriptedRuntime(root: directory.url)
            // These suites script the token-mode agent protocol (credentials handed over, acknowledged).
            var managerOptions = SessionManager.Options(credentialMode: .token)
            options(&managerOptions)
            let manager = SessionManager(store: store, runtime: runtime, github: github, options: managerOptions, logger: logger)
            try await manager.start(controlPlaneURL: URL(string: "http://127.0.0.1:9")!)
            return ManagerFixture(forge: forge, manager: manager, runtime: runtime, directory: directory)
        } catch {
            await forge.stop()
            directory.remove()
            throw error
        }
    }

    /// Shuts the manager down (tokens revoked, store closed) and stops the forge.
    func finish() async {
        await manager.shutdown()
        await forge.stop()
        directory.remove()
    }

    /// Runs `body` with a started fixture and always finishes it, also when `body` throws.
    static func with<T>(repos: [String] = ["demo/hello"], tokenTTL: Int? = nil, options: (inout SessionManager.Options) -> Void = { _ in },
                        _ body: (ManagerFixture) async throws -> T) async throws -> T {
        let fixture = try await start(repos: repos, tokenTTL: tokenTTL, options: options)
        do {
            let result = try await body(fixture)
            await fixture.finish()
            return result
        } catch {
            await fixture.finish()
            throw error
        }
    }

    func create(repos: [String] = ["demo/hello"], access: String = "write") async throws -> Netclode_V1_Session {
        try await manager.createSession(.with {
            $0.repos = repos
            $0.repoAccess = access
        })
    }

    func cloneURL(_ fullName: String) -> String {
        forge.cloneURL(fullName).absoluteString
    }

    /// Waits until `condition` holds (checked every 10 ms), for at most `timeout`.
    func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The in-process manager suites, one at a time: each starts a forge (whose `init` generates an
/// RSA key), and running them all at once alongside the end-to-end suites overloads a 2-core CI.
@Suite("In-process session manager", .serialized)
struct InProcessManagerTests {}
