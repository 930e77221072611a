import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `netclode repos` and `netclode session access|pause|resume`, the real binary against a real
/// control plane and forge (`demo/hello`, `demo/widgets`, `other/tools`; `outsider/secret` has no
/// installation).
@Suite("netclode repos and session access/pause/resume", .serialized)
struct ReposAndAccessCommandTests {
    /// A forge with three installed repos in two installations, `netclode serve`, and a CLI runner.
    static func withServer<T>(githubApp: Bool = true, uninstalledRepos: [String] = ["outsider/secret"], _ body: (ForgeProcess, CLIRunner) async throws -> T) async throws -> T {
        let forge = try await ForgeProcess.start(repos: ["demo/hello", "demo/widgets", "other/tools"], uninstalledRepos: uninstalledRepos)
        var controlPlane: ControlPlaneProcess?
        var directory: TemporaryDirectory?
        defer { directory?.remove() }
        do {
            controlPlane = try await ControlPlaneProcess.start(environment: githubApp ? ControlPlaneProcess.githubEnvironment(for: forge) : [:])
            directory = try TemporaryDirectory(prefix: "netclode-cli")
            let cli = CLIRunner(server: controlPlane!.baseURL.absoluteString, token: ControlPlaneProcess.apiToken, workingDirectory: directory!.url)
            let value = try await body(forge, cli)
            await controlPlane?.remove()
            await forge.stop()
            return value
        } catch {
            await controlPlane?.remove()
            await forge.stop()
            throw error
        }
    }

    @Test("repos lists what the App reaches, as a table and as JSON")
    func repos() async throws {
        try await Self.withServer { forge, cli in
            let table = try await cli.run(["repos"])
            try #require(table.exitCode == 0, "\(table.transcript)")
            #expect(table.lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["REPOSITORY", "VISIBILITY", "DEFAULT", "BRANCH", "INSTALLATION"])
            let rows = table.lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(rows.map(\.first) == ["demo/hello", "demo/widgets", "other/tools"], "\(table.transcript)")
            #expect(rows.map(\.last) == ["demo", "demo", "other"].map { forge.installationIDs[$0].map(String.init) })
            #expect(!table.stdout.contains("outsider/secret"))

            let json = try await cli.run(["repos", "--json"])
            #expect(json.exitCode == 0, "\(json.transcript)")
            #expect(json.lines.count == 1)
            let listed = try Netclode_V1_ListReposResponse(jsonString: json.stdout)
            #expect(listed.repositories.map(\.fullName) == ["demo/hello", "demo/widgets", "other/tools"])
            #expect(listed.repositories.map(\.installationID) == ["demo", "demo", "other"].map { Int64(forge.installationIDs[$0] ?? 0) })

            let stats = try await forge.stats()
            #expect(stats.mints == stats.revocations, "listing tokens are revoked right after")
        }
    }

    @Test("the troubleshooting messages reach the CLI with the repository named and the fix stated")
    func troubleshootingMessages() async throws {
        try await Self.withServer(uninstalledRepos: ["outsider/secret", "demo/private"]) { _, cli in
            let uncovered = try await cli.run(["session", "create", "--repo", "demo/hello", "--repo", "demo/private"])
            #expect(uncovered.exitCode == 1, "\(uncovered.transcript)")
            #expect(uncovered.stderr.hasPrefix("error: Resource not accessible by integration: demo/private — add it to the App installation at "), "\(uncovered.transcript)")
            #expect(!uncovered.stderr.contains("demo/hello"))
            let missing = try await cli.run(["session", "create", "--repo", "outsider/secret"])
            #expect(missing.stderr.hasPrefix("error: Repository not found: outsider/secret (is the GitHub App installed on outsider?)"), "\(missing.transcript)")
        }
        try await Self.withServer(githubApp: false) { _, cli in
            let unconfigured = try await cli.run(["session", "create", "--repo", "demo/hello"])
            #expect(unconfigured.exitCode == 1, "\(unconfigured.transcript)")
            #expect(unconfigured.stderr.hasPrefix("error: GitHub App not configured: missing GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_B64 (or GITHUB_APP_PRIVATE_KEY_PATH)"), "\(unconfigured.transcript)")
        }
    }

    @Test("repos without GitHub App settings fails with the reason")
    func reposWithoutApp() async throws {
        try await Self.withServer(githubApp: false) { _, cli in
            let result = try await cli.run(["repos"])
            #expect(result.exitCode == 1, "\(result.transcript)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("GitHub App not configured"), "\(result.transcript)")
        }
    }

    @Test("access write lets the sandbox push; pause and resume print the new status")
    func accessPauseResume() async throws {
        try await Self.withServer { _, cli in
            let create = try await cli.run(["session", "create", "--repo", "demo/hello", "--name", "access-test", "--watch"])
            try #require(create.exitCode == 0, "\(create.transcript)")
            let id = try #require(create.stdout.firstMatch(of: #/Created session (\S+) /#).map { String($0.1) }, "\(create.transcript)")
            let push = ["session", "exec", id, "--", "sh", "-c", "git commit --allow-empty -qm x && git push -q origin HEAD:main"]

            let refused = try await cli.run(push)
            #expect(refused.exitCode != 0, "read-only by default: \(refused.transcript)")

            let access = try await cli.run(["session", "access", id, "write"])
            #expect(access.exitCode == 0, "\(access.transcript)")
            #expect(access.stdout == "Session \(id): write access applied\n")
            let pushed = try await cli.run(push)
            #expect(pushed.exitCode == 0, "\(pushed.transcript)")

            let accessJSON = try await cli.run(["session", "access", id, "read", "--json"])
            #expect(accessJSON.exitCode == 0, "\(accessJSON.transcript)")
            let response = try Netclode_V1_UpdateRepoAccessResponse(jsonString: accessJSON.stdout)
            #expect(response.repoAccess == "read" && response.applied)

            let bad = try await cli.run(["session", "access", id, "admin"])
            #expect(bad.exitCode == 64, "\(bad.transcript)")

            let pause = try await cli.run(["session", "pause", id])
            #expect(pause.exitCode == 0, "\(pause.transcript)")
            #expect(pause.stdout == "Paused session \(id): paused\n")

            let whilePaused = try await cli.run(["session", "access", id, "write"])
            #expect(whilePaused.exitCode == 0, "\(whilePaused.transcript)")
            #expect(whilePaused.stdout == "Session \(id): write access stored; applied at resume\n")

            let resume = try await cli.run(["session", "resume", id])
            #expect(resume.exitCode == 0, "\(resume.transcript)")
            #expect(resume.stdout.hasPrefix("Resumed session \(id): "), "\(resume.transcript)")
            #expect(!resume.stdout.contains(": paused"))

            let missing = try await cli.run(["session", "pause", "nosuchsession"])
            #expect(missing.exitCode == 1, "\(missing.transcript)")
        }
    }

    @Test("session repos adds and removes repositories and says what it did; refusals exit non-zero with the reason")
    func sessionRepos() async throws {
        try await Self.withServer { forge, cli in
            let create = try await cli.run(["session", "create", "--repo", "demo/hello", "--name", "repos-test", "--watch"])
            try #require(create.exitCode == 0, "\(create.transcript)")
            let id = try #require(create.stdout.firstMatch(of: #/Created session (\S+) /#).map { String($0.1) }, "\(create.transcript)")

            let added = try await cli.run(["session", "repos", id, "--add", "demo/widgets"])
            #expect(added.exitCode == 0, "\(added.transcript)")
            #expect(added.stdout == "Session \(id): repositories demo/hello, demo/widgets (applied)\n")

            let removed = try await cli.run(["session", "repos", "repos-test", "--remove", "demo/hello", "--json"])
            #expect(removed.exitCode == 0, "\(removed.transcript)")
            let response = try Netclode_V1_UpdateReposResponse(jsonString: removed.stdout)
            #expect(response.session.repos == [forge.cloneURL("demo/widgets").absoluteString] && response.applied)

            let refused = try await cli.run(["session", "repos", id, "--add", "outsider/secret"])
            #expect(refused.exitCode == 1, "\(refused.transcript)")
            #expect(refused.stderr.contains("Repository not found: outsider/secret"), "\(refused.transcript)")
            let nothing = try await cli.run(["session", "repos", id])
            #expect(nothing.exitCode == 64, "\(nothing.transcript)")
        }
    }

    @Test("session create takes a credential mode and a push policy; session policy replaces it; get shows both")
    func credentialModeAndPolicy() async throws {
        try await Self.withServer { _, cli in
            let created = try await cli.run(["session", "create", "--repo", "demo/hello", "--access", "write", "--credential-mode", "proxy",
                                             "--push-branch", "netclode/*", "--allow-force-push", "false", "--json"])
            try #require(created.exitCode == 0, "\(created.transcript)")
            let session = try Netclode_V1_CreateSessionResponse(jsonString: created.stdout).session
            #expect(session.credentialMode == "proxy" && session.pushPolicy.branches == ["netclode/*"] && !session.pushPolicy.allowForcePush)

            let shown = try await cli.run(["session", "get", session.id])
            #expect(shown.stdout.contains("Git:      through the control plane's git proxy"), "\(shown.transcript)")
            #expect(shown.stdout.contains("Push:     branches matching netclode/*; no force pushes, deletions allowed"), "\(shown.transcript)")

            let reset = try await cli.run(["session", "policy", session.id])
            #expect(reset.exitCode == 0 && reset.stdout.contains("may push any branch; force pushes allowed"), "\(reset.transcript)")
            let bad = try await cli.run(["session", "policy", session.id, "--push-branch", "has space"])
            #expect(bad.exitCode == 1 && bad.stderr.contains("\"has space\" is not a branch name glob"), "\(bad.transcript)")

            let token = try await cli.run(["session", "create", "--repo", "demo/hello", "--credential-mode", "token", "--push-branch", "x"])
            #expect(token.exitCode == 1 && token.stderr.contains("pushPolicy needs credentialMode \"proxy\""), "\(token.transcript)")
        }
    }
}
