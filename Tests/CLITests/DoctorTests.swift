import Foundation
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `netclode doctor` against a real forge (GitHub's stand-in, reached only through
/// GITHUB_API_URL), real bubblewrap, and real SQLite and PostgreSQL databases.
@Suite("netclode doctor")
struct DoctorTests {
    static let apiToken = "doctor-test-api-token-0123456789"

    /// The App settings for `forge`, with the key as base64 (as in deploy/kubernetes/.env).
    static func appSettings(_ forge: ForgeProcess, data: URL) throws -> [String: String] {
        [
            "GITHUB_APP_ID": "\(forge.appID)",
            "GITHUB_APP_PRIVATE_KEY_B64": try Data(contentsOf: URL(fileURLWithPath: forge.privateKeyPath)).base64EncodedString(),
            "GITHUB_INSTALLATION_ID": "\(try #require(forge.installationIDs["demo"]))",
            "GITHUB_API_URL": forge.baseURL.absoluteString,
            "GITHUB_WEB_URL": forge.baseURL.absoluteString,
            "NETCLODE_API_TOKEN": apiToken,
            "NETCLODE_DATA_DIR": data.path,
        ]
    }

    /// A fresh 2048-bit RSA key (PEM, base64): one no App knows.
    static func strangerKey() async throws -> String {
        let result = try await Command.run("/usr/bin/openssl", ["genrsa", "2048"])
        try #require(result.succeeded, "openssl genrsa failed (apt-get install openssl): \(result.stderr)")
        return Data(result.stdout.utf8).base64EncodedString()
    }

    static func withRunner<T>(_ body: (DoctorRunner, TemporaryDirectory) async throws -> T) async throws -> T {
        try await TemporaryDirectory.with(prefix: "netclode-doctor") { directory in
            try await body(DoctorRunner(workingDirectory: directory), directory)
        }
    }

    @Test("against the forge with settings from .env: every check passes, exit 0, every token it minted revoked, nothing secret printed")
    func allChecksPass() async throws {
        try await ForgeProcess.with(.init(repos: ["demo/hello", "demo/widgets"])) { forge in
            try await Self.withRunner { doctor, directory in
                let settings = try Self.appSettings(forge, data: directory.url.appendingPathComponent("data"))
                let result = try await doctor.run(environment: [:], dotEnv: settings)
                #expect(result.exitCode == 0, "\(result.transcript)")
                #expect(!result.stdout.contains("✗"), "\(result.transcript)")
                #expect(result.line(startingWith: "netclode doctor: settings from the environment, then ")?.hasSuffix("/.env") == true, "\(result.transcript)")
                #expect(result.line(startingWith: "✓ netclode serve settings: ")?.contains("runtime local") == true, "\(result.transcript)")
                #expect(result.line(startingWith: "✓ GitHub App settings: ")?.contains("App \(forge.appID), private key from GITHUB_APP_PRIVATE_KEY_B64 (RSA") == true, "\(result.transcript)")
                #expect(result.line(startingWith: "✓ GitHub accepts the App JWT: ")?.contains("(\(forge.appSlug), id \(forge.appID))") == true, "\(result.transcript)")
                let installation = try #require(forge.installationIDs["demo"])
                let line = result.line(startingWith: "✓ installation \(installation) on demo: ")
                #expect(line?.contains("2 repositories selected; grants contents: write, metadata: read") == true, "\(result.transcript)")
                #expect(result.line(startingWith: "✓ sandbox runtime local: ")?.contains("ran a test sandbox (uid 1000") == true, "\(result.transcript)")
                #expect(result.line(startingWith: "✓ database: SQLite ")?.contains("not created yet") == true, "\(result.transcript)")
                #expect(result.stdout.contains("\n• GitHub bot: off (GITHUB_WEBHOOK_SECRET not set)\n"), "\(result.transcript)")
                #expect(result.stdout.hasSuffix("All 6 checks passed.\n"), "\(result.transcript)")
                print("netclode doctor against the forge:\n\(result.stdout)")
                // Doctor made no database: it only looks.
                #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("data").path))
                let stats = try await forge.stats()
                #expect(stats.mints == 1 && stats.revocations == 1, "every listing token doctor minted is revoked: \(stats)")
                #expect(DoctorRunner.leaks(in: result, secrets: [Self.apiToken, settings["GITHUB_APP_PRIVATE_KEY_B64"]!]).isEmpty)
            }
        }
    }

    @Test("beside a running netclode serve (the kubectl exec case): the database is migrated, exit 0")
    func besideARunningServer() async throws {
        try await ForgeProcess.with(.init(repos: ["demo/hello"])) { forge in
            let server = try await ControlPlaneProcess.start(environment: ControlPlaneProcess.githubEnvironment(for: forge))
            do {
                try await Self.withRunner { doctor, _ in
                    var environment = try Self.appSettings(forge, data: server.dataDirectory)
                    environment["GITHUB_APP_PRIVATE_KEY_B64"] = nil
                    environment["GITHUB_APP_PRIVATE_KEY_PATH"] = forge.privateKeyPath
                    let result = try await doctor.run(environment: environment)
                    #expect(result.exitCode == 0, "\(result.transcript)")
                    #expect(result.line(startingWith: "✓ GitHub App settings: ")?.contains("private key from GITHUB_APP_PRIVATE_KEY_PATH") == true, "\(result.transcript)")
                    let database = result.line(startingWith: "✓ database: SQLite \(server.dataDirectory.path)/netclode.sqlite migrated (schema version ")
                    #expect(database != nil, "\(result.transcript)")
                    #expect(result.line(startingWith: "netclode doctor: settings from the environment (no ") != nil, "\(result.transcript)")
                }
            } catch {
                await server.remove()
                throw error
            }
            // The server was not disturbed: it still answers.
            let (_, response) = try await URLSession.shared.data(from: server.baseURL.appendingPathComponent("readyz"))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            await server.remove()
        }
    }

    @Test("a broken key: not base64, then a key of no App; each ✗ with its fix, exit 1")
    func brokenKey() async throws {
        try await ForgeProcess.with(.init(repos: ["demo/hello"])) { forge in
            try await Self.withRunner { doctor, directory in
                var environment = try Self.appSettings(forge, data: directory.url.appendingPathComponent("data"))
                environment["GITHUB_APP_PRIVATE_KEY_B64"] = "this is not base64!"
                let garbled = try await doctor.run(environment: environment)
                #expect(garbled.exitCode == 1, "\(garbled.transcript)")
                #expect(garbled.line(startingWith: "✗ GitHub App settings: GitHub App private key unusable: GITHUB_APP_PRIVATE_KEY_B64 is not valid base64") != nil, "\(garbled.transcript)")
                #expect(garbled.fix(after: "✗ GitHub App settings: ")?.contains("base64 -w0 app.pem") == true, "\(garbled.transcript)")
                #expect(garbled.line(startingWith: "✗ GitHub accepts the App JWT: not checked: no usable App settings") != nil, "\(garbled.transcript)")
                #expect(garbled.line(startingWith: "✗ GitHub App installations: not checked") != nil, "\(garbled.transcript)")
                #expect(garbled.line(startingWith: "✓ database: ") != nil, "the other checks still run: \(garbled.transcript)")
                #expect(garbled.stdout.hasSuffix("3 of 6 checks failed.\n"), "\(garbled.transcript)")
                print("netclode doctor with a garbled key:\n\(garbled.stdout)")

                let stranger = try await Self.strangerKey()
                environment["GITHUB_APP_PRIVATE_KEY_B64"] = stranger
                let wrong = try await doctor.run(environment: environment)
                #expect(wrong.exitCode == 1, "\(wrong.transcript)")
                #expect(wrong.line(startingWith: "✓ GitHub App settings: ") != nil, "the key itself loads: \(wrong.transcript)")
                #expect(wrong.line(startingWith: "✗ GitHub accepts the App JWT: GitHub rejected the App credentials") != nil, "\(wrong.transcript)")
                #expect(wrong.fix(after: "✗ GitHub accepts the App JWT: ")?.contains("GITHUB_APP_ID must be the App ID") == true, "\(wrong.transcript)")
                #expect(wrong.line(startingWith: "✗ GitHub App installations: not checked: GET /app did not succeed") != nil, "\(wrong.transcript)")
                #expect(DoctorRunner.leaks(in: garbled, secrets: [Self.apiToken]).isEmpty)
                #expect(DoctorRunner.leaks(in: wrong, secrets: [Self.apiToken, stranger]).isEmpty)
            }
        }
    }

    @Test("missing settings: serve's API token and the App ID are named, what depends on them is not checked, exit 1")
    func missingSettings() async throws {
        let key = try await Self.strangerKey()
        try await Self.withRunner { doctor, directory in
            let result = try await doctor.run(environment: [
                "GITHUB_APP_PRIVATE_KEY_B64": key, "NETCLODE_DATA_DIR": directory.url.appendingPathComponent("data").path,
            ])
            #expect(result.exitCode == 1, "\(result.transcript)")
            #expect(result.line(startingWith: "✗ netclode serve settings: NETCLODE_API_TOKEN is not set") != nil, "\(result.transcript)")
            #expect(result.fix(after: "✗ netclode serve settings: ")?.contains(".env") == true, "\(result.transcript)")
            #expect(result.line(startingWith: "✗ GitHub App settings: GitHub App not configured: missing GITHUB_APP_ID") != nil, "\(result.transcript)")
            #expect(result.fix(after: "✗ GitHub App settings: ")?.contains("set GITHUB_APP_ID") == true, "\(result.transcript)")
            #expect(result.line(startingWith: "✗ sandbox runtime local: not checked") != nil, "\(result.transcript)")
            #expect(result.line(startingWith: "✗ database: not checked") != nil, "\(result.transcript)")
            #expect(!result.stdout.contains("✓"), "nothing passes that was not checked: \(result.transcript)")
            #expect(DoctorRunner.leaks(in: result, secrets: [key]).isEmpty)
        }
    }

    @Test("an unreachable GITHUB_API_URL: ✗ naming it, exit 1, within the doctor's short retry budget")
    func unreachableAPI() async throws {
        let key = try await Self.strangerKey()
        let closed = try ClosedPort()
        try await Self.withRunner { doctor, directory in
            let api = "http://127.0.0.1:\(closed.port)"
            let started = ContinuousClock.now
            let result = try await doctor.run(environment: [
                "GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_B64": key, "GITHUB_API_URL": api, "GITHUB_WEB_URL": api,
                "NETCLODE_API_TOKEN": Self.apiToken, "NETCLODE_DATA_DIR": directory.url.appendingPathComponent("data").path,
            ])
            #expect(result.exitCode == 1, "\(result.transcript)")
            #expect(result.line(startingWith: "✗ GitHub accepts the App JWT: GitHub unavailable: GET /app") != nil, "\(result.transcript)")
            #expect(result.fix(after: "✗ GitHub accepts the App JWT: ")?.contains("reaches \(api) (GITHUB_API_URL") == true, "\(result.transcript)")
            #expect(result.line(startingWith: "✓ sandbox runtime local: ") != nil, "\(result.transcript)")
            #expect(ContinuousClock.now - started < .seconds(150), "two attempts, not the server's retry budget")
            withExtendedLifetime(closed) {}
        }
    }

    @Test("an installation without Contents: write fails; with the bot on, one without Pull requests: write fails too")
    func missingPermissions() async throws {
        var readOnly = ForgeProcess.Setup(repos: ["demo/hello"])
        readOnly.installationPermissions = ["contents": "read", "metadata": "read"]
        try await ForgeProcess.with(readOnly) { forge in
            try await Self.withRunner { doctor, directory in
                let result = try await doctor.run(environment: try Self.appSettings(forge, data: directory.url.appendingPathComponent("data")))
                let installation = try #require(forge.installationIDs["demo"])
                let prefix = "✗ installation \(installation) on demo: "
                #expect(result.exitCode == 1, "\(result.transcript)")
                #expect(result.line(startingWith: prefix)?.contains("grants contents: read, metadata: read, pull_requests: none, issues: none — missing Contents: Read and write, which sessions need") == true,
                        "\(result.transcript)")
                #expect(result.fix(after: prefix)?.contains("grant Contents: Read and write in the App's settings") == true, "\(result.transcript)")
            }
        }
        var noPullRequests = ForgeProcess.Setup(repos: ["demo/hello"])
        noPullRequests.installationPermissions = ["contents": "write", "metadata": "read", "issues": "write"]
        try await ForgeProcess.with(noPullRequests) { forge in
            try await Self.withRunner { doctor, directory in
                let installation = try #require(forge.installationIDs["demo"])
                var environment = try Self.appSettings(forge, data: directory.url.appendingPathComponent("data"))
                let botOff = try await doctor.run(environment: environment)
                #expect(botOff.exitCode == 0, "the bot's permissions do not count while it is off: \(botOff.transcript)")
                #expect(botOff.line(startingWith: "✓ installation \(installation) on demo: ")?.contains("pull_requests: none, issues: write") == true, "\(botOff.transcript)")

                environment["GITHUB_WEBHOOK_SECRET"] = "doctor-test-webhook-secret"
                let botOn = try await doctor.run(environment: environment)
                #expect(botOn.exitCode == 1, "\(botOn.transcript)")
                #expect(botOn.line(startingWith: "✗ installation \(installation) on demo: ")?.contains("missing Pull requests: Read and write, which sessions and the bot need") == true,
                        "\(botOn.transcript)")
                #expect(botOn.stdout.contains("\n• GitHub bot: on (GITHUB_WEBHOOK_SECRET set)\n"), "\(botOn.transcript)")
                #expect(DoctorRunner.leaks(in: botOn, secrets: ["doctor-test-webhook-secret", Self.apiToken]).isEmpty)
            }
        }
    }

    /// (The kubernetes runtime's check runs against the stand-in cluster in KubernetesRuntimeTests.)
    @Test("an unknown NETCLODE_RUNTIME is refused, named once, and no runtime is checked")
    func unknownRuntime() async throws {
        try await Self.withRunner { doctor, directory in
            let base = ["NETCLODE_API_TOKEN": Self.apiToken, "NETCLODE_DATA_DIR": directory.url.appendingPathComponent("data").path]
            let unknown = try await doctor.run(environment: base.merging(["NETCLODE_RUNTIME": "docker"]) { _, new in new })
            #expect(unknown.exitCode == 1, "\(unknown.transcript)")
            let line = unknown.line(startingWith: "✗ netclode serve settings: NETCLODE_RUNTIME=\"docker\" is not a sandbox runtime; choose one of: local, kubernetes")
            #expect(line != nil, "\(unknown.transcript)")
            #expect(line?.components(separatedBy: "NETCLODE_RUNTIME=").count == 2, "named once: \(line ?? "")")
            #expect(unknown.line(startingWith: "✗ sandbox runtime: not checked") != nil, "\(unknown.transcript)")
        }
    }

    @Test("the local runtime: bwrap missing, isolation off, and bwrap refused a /proc as under ProtectKernelTunables=: each ✗ with a fix")
    func localRuntimeFailures() async throws {
        try await Self.withRunner { doctor, directory in
            let base = ["NETCLODE_API_TOKEN": Self.apiToken, "NETCLODE_DATA_DIR": directory.url.appendingPathComponent("data").path]
            let missing = try await doctor.run(environment: base.merging(["PATH": "/nonexistent/bin"]) { _, new in new })
            #expect(missing.line(startingWith: "✗ sandbox runtime local: bubblewrap (bwrap) is not installed (looked in /nonexistent/bin)") != nil, "\(missing.transcript)")
            #expect(missing.fix(after: "✗ sandbox runtime local: ")?.contains("apt-get install bubblewrap") == true, "\(missing.transcript)")

            let off = try await doctor.run(environment: base.merging(["NETCLODE_SANDBOX": "none"]) { _, new in new })
            #expect(off.line(startingWith: "✗ sandbox runtime local: sandboxes are NOT isolated (NETCLODE_SANDBOX=none)") != nil, "\(off.transcript)")

            // What systemd's ProtectKernelTunables= does: a read-only mount over /proc/sys, after
            // which the kernel refuses bwrap a fresh /proc (deploy/systemd/netclode.service leaves
            // it out for this reason).
            let overmount = "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec \"$@\""
            let wrapper = ["/usr/bin/unshare", "--mount", "--propagation", "private"] + (geteuid() == 0 ? [] : ["--map-root-user"])
                + ["/bin/sh", "-c", overmount, "sh"]
            let blocked = try await doctor.run(environment: base, wrapper: wrapper)
            let line = blocked.line(startingWith: "✗ sandbox runtime local: ")
            #expect(line?.contains("cannot start a sandbox here: bwrap exited with status") == true, "\(blocked.transcript)")
            #expect(line?.contains("Can't mount proc") == true, "\(blocked.transcript)")
            #expect(blocked.fix(after: "✗ sandbox runtime local: ")?.contains("ProtectKernelTunables=") == true, "\(blocked.transcript)")
        }
    }

    @Test("PostgreSQL: an empty database answers, one a running serve migrated is current, an unreachable one fails")
    func postgres() async throws {
        try await PostgresServer.with { database in
            try await Self.withRunner { doctor, directory in
                let base = [
                    "NETCLODE_API_TOKEN": Self.apiToken, "NETCLODE_DATA_DIR": directory.url.appendingPathComponent("data").path,
                    "NETCLODE_DATABASE_URL": database.url,
                ]
                let empty = try await doctor.run(environment: base)
                #expect(empty.line(startingWith: "✓ database: PostgreSQL ")?.contains("no schema yet: netclode serve migrates it to version") == true, "\(empty.transcript)")

                let server = try await ControlPlaneProcess.start(environment: ["NETCLODE_DATABASE_URL": database.url])
                let migrated: ProcessResult
                do {
                    migrated = try await doctor.run(environment: base)
                } catch {
                    await server.remove()
                    throw error
                }
                await server.remove()
                #expect(migrated.line(startingWith: "✓ database: PostgreSQL ")?.contains("migrated (schema version") == true,
                        "read beside the server holding the database's owner lock: \(migrated.transcript)")

                let gone = try await doctor.run(environment: base.merging([
                    "NETCLODE_DATABASE_URL": "postgres://netclode@localhost/postgres?host=\(directory.path)/no-such-socket-dir",
                ]) { _, new in new })
                #expect(gone.line(startingWith: "✗ database: PostgreSQL ") != nil, "\(gone.transcript)")
                #expect(gone.fix(after: "✗ database: ")?.contains("NETCLODE_DATABASE_URL") == true, "\(gone.transcript)")
            }
        }
    }
}
