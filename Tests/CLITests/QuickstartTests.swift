import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// The README's tour, run literally against a real `netclode dev`: the lines between the
/// `tour:begin` and `tour:end` markers of README.md are the commands, so the README cannot drift
/// from what works. Every line must match one expectation below, and every expectation one line.
@Suite("README quickstart against netclode dev", .serialized)
struct QuickstartTests {
    /// What one README line must do. `matches` picks the line; `check` inspects its result.
    struct Step {
        let name: String
        let matches: @Sendable (String) -> Bool
        let check: @Sendable (ProcessResult, DevProcess) async throws -> Void
    }

    @Test("every command of the README tour does what the README says")
    func tour() async throws {
        let commands = try Self.tourCommands()
        try #require(commands.count >= 8, "the tour block in README.md is missing or too short: \(commands)")
        let steps = Self.steps
        let dev = try await DevProcess.start()
        do {
            let shell = try TemporaryDirectory(prefix: "netclode-tour")
            defer { shell.remove() }
            var used = Set<String>()
            for command in commands {
                let matching = steps.filter { $0.matches(command) }
                try #require(matching.count == 1, "README line matches \(matching.map(\.name)) (want exactly one step): \(command)")
                let step = matching[0]
                used.insert(step.name)
                let result = try await Command.run("/bin/sh", ["-c", command], environment: try Self.environment(for: dev), in: shell.url)
                try await step.check(result, dev)
            }
            #expect(Set(steps.map(\.name)).subtracting(used).isEmpty, "steps the README no longer has: \(Set(steps.map(\.name)).subtracting(used))")
            #expect(!dev.logs().contains("ghs_"), "a token reached netclode dev's log")
            // The embedded forge's mints reach the control plane's /metrics (one registry in dev too).
            let metrics = try await Command.run("/usr/bin/env", ["curl", "-sS", dev.baseURL.appendingPathComponent("metrics").absoluteString]).stdout
            let mints = metrics.split(separator: "\n").first { $0.hasPrefix("netclode_token_mints_total ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            #expect((mints ?? 0) >= 3, "create (1), read (1), write (1): \(metrics)")
            #expect(await dev.interrupt() == 0, "Ctrl-C must stop netclode dev cleanly (exit 0)")
        } catch {
            await dev.remove()
            throw error
        }
        await dev.remove()
    }

    @Test("dev.json and the client context are private; Ctrl-C and a restart keep the sessions")
    func restartKeepsSessions() async throws {
        let dev = try await DevProcess.start()
        var restarted: DevProcess?
        do {
            // dev.json: the documented fields, mode 0600, and the welcome names it and the context.
            let attributes = try FileManager.default.attributesOfItem(atPath: dev.devFile.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect((try FileManager.default.attributesOfItem(atPath: dev.contextFile.path)[.posixPermissions] as? Int) == 0o600)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dev.devFile)) as? [String: Any])
            #expect(json["controlPlaneURL"] as? String == dev.baseURL.absoluteString)
            #expect((json["apiToken"] as? String)?.count == 64)
            #expect((json["forgeURL"] as? String)?.hasPrefix("http://127.0.0.1:") == true)
            #expect(json["appId"] as? Int == 4242)
            let installations = try #require(json["installations"] as? [[String: Any]])
            #expect(installations.map { $0["account"] as? String } == ["netclode-demo", "other-org"])
            #expect(installations.first?["repos"] as? [String] == ["netclode-demo/hello", "netclode-demo/widgets"])
            #expect(dev.output.contains(dev.contextFile.path) && dev.output.contains("netclode session create"))

            let environment = try Self.environment(for: dev)
            let create = try await Command.run(try ForgeProcess.netclodeBinary().path,
                                               ["session", "create", "--name", "keep", "--repo", "netclode-demo/widgets", "--watch"],
                                               environment: environment)
            try #require(create.exitCode == 0, "\(create.stdout)\(create.stderr)")
            #expect(await dev.interrupt() == 0, "Ctrl-C must stop netclode dev cleanly (exit 0)")

            // At debug level service-lifecycle logs every service it runs: still no API token.
            let again = try await dev.restart(extraArguments: ["--log-level", "debug"])
            restarted = again
            #expect(again.output.contains("resumed        1 session"), "\(again.output)")
            #expect(try String(contentsOf: again.devFile, encoding: .utf8).contains(json["apiToken"] as! String), "the API token survives a restart")
            let deadline = ContinuousClock.now + .seconds(60)
            var session = Netclode_V1_Session()
            while ContinuousClock.now < deadline {
                let get = try await Command.run(try ForgeProcess.netclodeBinary().path, ["session", "get", "keep", "--json"], environment: environment)
                session = try Netclode_V1_GetSessionResponse(jsonString: get.stdout).session
                // The restored record says ready at once; the new agent then reports its workspace.
                if session.status == "ready", session.repoStatus.first?.message.contains("Already cloned") == true { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(session.status == "ready", "\(session)")
            #expect(session.repoStatus.first?.message.contains("Already cloned") == true, "the workspace survives: \(session.repoStatus)")
            let apiToken = try #require(json["apiToken"] as? String)
            #expect(again.logs().contains(" debug "), "the restart logged at debug level")
            #expect(!again.logs().contains(apiToken) && !dev.logs().contains(apiToken), "the API token reached netclode dev's log")
            #expect(!again.logs().contains("ghs_"), "an installation token reached netclode dev's log")
        } catch {
            await restarted?.remove()
            await dev.remove()
            throw error
        }
        await restarted?.remove()
        await dev.remove()
    }

    /// The tour's expectations, in README order.
    static let steps: [Step] = [
        Step(name: "create with watch", matches: { $0.contains("session create --name tour") }) { result, _ in
            try #require(result.exitCode == 0, "\(result.transcript)")
            for repo in ["netclode-demo/hello", "netclode-demo/widgets"] {
                #expect(result.stdout.contains("\(repo): starting"), "\(result.stdout)")
                #expect(result.stdout.contains("✓ \(repo): done — Cloned into \(repo.replacingOccurrences(of: "/", with: "__"))"), "\(result.stdout)")
            }
            #expect(result.lines.last?.hasSuffix("is ready") == true, "\(result.stdout)")
            #expect(!result.stdout.contains("\u{1B}"), "plain lines when stdout is not a terminal")
        },
        Step(name: "commit and push with write", matches: { $0.contains("Greet from the sandbox") }) { result, dev in
            #expect(result.exitCode == 0, "\(result.transcript)")
            let log = try await Self.forgeLog(dev)
            #expect(log.contains("Greet from the sandbox"), "\(log)")
        },
        Step(name: "switch to read", matches: { $0.hasSuffix("session access tour read") }) { result, _ in
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdout.contains("read access applied"), "\(result.stdout)")
        },
        Step(name: "push refused with read", matches: { $0.contains("One more line") }) { result, dev in
            #expect(result.exitCode != 0, "\(result.transcript)")
            // `netclode dev` runs sessions in proxy mode: the git proxy refuses, in git's own words.
            #expect(result.stderr.contains("[remote rejected]") && result.stderr.contains("netclode session access"), "\(result.transcript)")
            let log = try await Self.forgeLog(dev)
            #expect(!log.contains("One more line"), "a read-only token pushed")
        },
        Step(name: "events with the hint", matches: { $0.hasSuffix("session events tour") }) { result, _ in
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdout.contains("netclode session access"), "the push hint is missing:\n\(result.stdout)")
            #expect(result.stdout.contains("netclode-demo/hello"), "\(result.stdout)")
        },
        Step(name: "switch back to write", matches: { $0.hasSuffix("session access tour write") }) { result, _ in
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdout.contains("write access applied"), "\(result.stdout)")
        },
        Step(name: "the same push goes through", matches: { $0.hasSuffix("-- git push -q origin HEAD:main") }) { result, dev in
            #expect(result.exitCode == 0, "\(result.transcript)")
            let log = try await Self.forgeLog(dev)
            #expect(log.contains("One more line"), "\(log)")
        },
        Step(name: "list", matches: { $0.hasSuffix("session list") }) { result, _ in
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ID", "NAME", "STATUS", "ACCESS", "REPOS", "AGE"])
            #expect(result.lines.contains { $0.contains(" tour ") && $0.contains("write") }, "\(result.stdout)")
        },
        Step(name: "get", matches: { $0.hasSuffix("session get tour") }) { result, _ in
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdout.contains("Access:   write"))
            #expect(result.stdout.contains("Cloned into netclode-demo__widgets"), "\(result.stdout)")
        },
        Step(name: "repos", matches: { $0.hasSuffix("netclode repos") }) { result, _ in
            #expect(result.exitCode == 0, "\(result.transcript)")
            for repo in ["netclode-demo/hello", "netclode-demo/widgets", "other-org/tools"] {
                #expect(result.stdout.contains(repo), "\(repo) missing:\n\(result.stdout)")
            }
            #expect(!result.stdout.contains("outsider/secret"))
        },
        Step(name: "a repository no installation covers", matches: { $0.contains("--repo outsider/secret") }) { result, _ in
            #expect(result.exitCode == 1, "\(result.transcript)")
            #expect(result.stderr.contains("Repository not found: outsider/secret"), "\(result.transcript)")
        },
        Step(name: "delete", matches: { $0.hasSuffix("session delete tour") }) { result, dev in
            #expect(result.exitCode == 0, "\(result.transcript)")
            #expect(result.stdout.contains("deleted"), "\(result.stdout)")
            let list = try await Command.run(try ForgeProcess.netclodeBinary().path, ["session", "list", "--json"], environment: try environment(for: dev))
            let sessions = try Netclode_V1_ListSessionsResponse(jsonString: list.stdout).sessions
            #expect(!sessions.contains { $0.name == "nope" }, "a refused create left a session behind")
        },
    ]

    /// The README's tour lines (continuations joined), in order.
    static func tourCommands() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let begin = readme.range(of: "<!-- tour:begin"), let end = readme.range(of: "<!-- tour:end -->", range: begin.upperBound..<readme.endIndex) else {
            return []
        }
        var commands: [String] = []
        var pending = ""
        var inCode = false
        for line in readme[begin.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            guard inCode, !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
            } else {
                commands.append(pending + line)
                pending = ""
            }
        }
        return commands
    }

    /// A shell like the README's second terminal: `netclode` on the PATH, the context `dev`
    /// wrote, and nothing else pointing anywhere.
    static func environment(for dev: DevProcess) throws -> [String: String] {
        let binDirectory = try ForgeProcess.netclodeBinary().deletingLastPathComponent().path
        return [
            "PATH": "\(binDirectory):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
            "NETCLODE_CONTEXT": dev.contextFile.path,
            "NETCLODE_URL": "", "NETCLODE_API_TOKEN": "",
        ]
    }

    /// `git log` of the forge's `netclode-demo/hello` main branch.
    static func forgeLog(_ dev: DevProcess) async throws -> String {
        try await Command.run("/usr/bin/env", ["git", "--git-dir", dev.bareRepository("netclode-demo/hello").path, "log", "--format=%s", "main"]).stdout
    }
}
