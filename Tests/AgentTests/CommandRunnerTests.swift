import Agent
import Foundation
import Testing
import TestSupport

@Suite("running commands in the workspace")
struct CommandRunnerTests {
    @Test("exit codes and separate stdout/stderr")
    func exitCodes() async throws {
        try await TemporaryDirectory.with { workspace in
            let runner = CommandRunner(workspace: workspace.url)
            let ok = try await runner.run(["sh", "-c", "echo out; echo err >&2"])
            #expect(ok.exitCode == 0)
            #expect(ok.stdout == "out\n")
            #expect(ok.stderr == "err\n")
            #expect(!ok.truncated && !ok.timedOut)

            let failed = try await runner.run(["sh", "-c", "exit 3"])
            #expect(failed.exitCode == 3)

            let killed = try await runner.run(["sh", "-c", "kill -9 $$"])
            #expect(killed.exitCode == 128 + 9)

            let pwd = try await runner.run(["pwd"])
            #expect(pwd.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == URL(fileURLWithPath: workspace.path).resolvingSymlinksInPath().path)
        }
    }

    @Test("runs in a subdirectory, with the extra environment, and without the agent's secret")
    func workdirAndEnvironment() async throws {
        try await TemporaryDirectory.with { workspace in
            try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("demo__hello/src"), withIntermediateDirectories: true)
            let runner = CommandRunner(workspace: workspace.url, environment: ["FROM_RUNNER": "1"])
            let result = try await runner.run(["sh", "-c", "basename \"$PWD\"; echo \"$FROM_RUNNER $EXTRA ${NETCLODE_AGENT_SECRET:-unset}\""],
                                              workdir: "demo__hello/./src", environment: ["EXTRA": "2"])
            #expect(result.stdout == "src\n1 2 unset\n")
        }
    }

    @Test("output is capped at 1 MiB per stream, drained, and flagged truncated")
    func capsOutput() async throws {
        try await TemporaryDirectory.with { workspace in
            let runner = CommandRunner(workspace: workspace.url)
            // 3 MB on stdout and 2 MB on stderr: the writer must not block on a full pipe. `cat`
            // writes in large blocks, so the reader wakes about 80 times rather than once per 4 KB
            // (`tr`'s writes took over 60 s to drain on a saturated CI machine). The timeout is far
            // above the time it takes; the test is about the cap, not the speed.
            try String(repeating: "a", count: 3_000_000).write(to: workspace.url.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
            try String(repeating: "b", count: 2_000_000).write(to: workspace.url.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
            let result = try await runner.run(
                ["sh", "-c", "cat a.txt; cat b.txt >&2; echo done >&2; exit 7"],
                timeout: .seconds(600))
            #expect(result.exitCode == 7, "the process ran to its end")
            #expect(result.stdout.utf8.count == 1 << 20)
            #expect(result.stderr.utf8.count == 1 << 20)
            #expect(result.stdoutTruncated && result.stderrTruncated && result.truncated)
            #expect(!result.timedOut)

            let small = try await CommandRunner(workspace: workspace.url, outputLimit: 10).run(["printf", "0123456789"])
            #expect(small.stdout == "0123456789")
            #expect(!small.truncated, "exactly at the cap is not truncated")
        }
    }

    @Test("the timeout kills the whole process group and reports 124")
    func timeoutKillsGroup() async throws {
        try await TemporaryDirectory.with { workspace in
            let runner = CommandRunner(workspace: workspace.url, killGrace: .milliseconds(300))
            let pidFile = workspace.url.appendingPathComponent("child.pid").path
            let start = ContinuousClock.now
            // 5 s: a saturated machine may take a while to start sh, and the pid file and
            // "started" must be written before the timeout strikes.
            let result = try await runner.run(
                ["sh", "-c", "sleep 600 & echo $! > \(pidFile); echo started; wait"], timeout: .seconds(5))
            let elapsed = ContinuousClock.now - start
            #expect(result.timedOut)
            #expect(result.exitCode == CommandResult.timeoutExitCode)
            #expect(result.stdout == "started\n", "output up to the kill is kept")
            // Far below the 600 s the backgrounded sleep would hold the pipe open, with room for a
            // saturated machine.
            #expect(elapsed < .seconds(240), "took \(elapsed)")
            let childPID = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            // The background child was in the group: it is gone (or a zombie about to be reaped by init).
            // It may take a moment to die on a loaded machine: poll for up to 60 s.
            var alive = true
            for _ in 0..<600 {
                alive = kill(childPID, 0) == 0
                if alive {
                    let status = (try? String(contentsOfFile: "/proc/\(childPID)/status", encoding: .utf8)) ?? ""
                    alive = !status.contains("State:\tZ")
                }
                if !alive { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!alive, "the backgrounded sleep survived the timeout")

            // A term-ignoring process still dies (SIGKILL after the grace).
            let stubborn = try await runner.run(["sh", "-c", "trap '' TERM; sleep 60"], timeout: .milliseconds(500))
            #expect(stubborn.timedOut && stubborn.exitCode == 124)
        }
    }

    @Test("workdirs outside the workspace are refused", arguments: [
        "..", "../", "/etc", "/", "a/../../x", "~/x", "outside", "outside/sub", "loop",
    ])
    func refusesEscapes(_ workdir: String) async throws {
        try await TemporaryDirectory.with { base in
            let workspace = base.url.appendingPathComponent("workspace")
            let elsewhere = base.url.appendingPathComponent("elsewhere")
            try FileManager.default.createDirectory(at: workspace.appendingPathComponent("a"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: elsewhere.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: workspace.appendingPathComponent("outside"), withDestinationURL: elsewhere)
            try FileManager.default.createSymbolicLink(atPath: workspace.appendingPathComponent("loop").path, withDestinationPath: "../workspace/../elsewhere")
            let runner = CommandRunner(workspace: workspace)
            await #expect(throws: CommandRunnerError.self) {
                _ = try await runner.run(["touch", "escaped"], workdir: workdir)
            }
            #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("escaped").path))
            #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("sub/escaped").path))
        }
    }

    @Test("symlinks and .. that stay inside are fine; missing directories and commands are errors")
    func insideAndMissing() async throws {
        try await TemporaryDirectory.with { workspace in
            try FileManager.default.createDirectory(at: workspace.url.appendingPathComponent("repo/src"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: workspace.url.appendingPathComponent("link").path, withDestinationPath: "repo/src")
            let runner = CommandRunner(workspace: workspace.url)
            #expect(try await runner.run(["true"], workdir: "link").exitCode == 0)
            #expect(try await runner.run(["true"], workdir: "repo/src/../..").exitCode == 0)
            await #expect(throws: CommandRunnerError.invalidWorkdir(.notFound("nope"))) {
                _ = try await runner.run(["true"], workdir: "nope")
            }
            await #expect(throws: CommandRunnerError.emptyCommand) {
                _ = try await runner.run([])
            }
            await #expect(throws: CommandRunnerError.self) {
                _ = try await runner.run(["netclode-no-such-command-\(UUID().uuidString)"])
            }
        }
    }

    @Test("tokens in the output are redacted")
    func redactsOutput() async throws {
        try await TemporaryDirectory.with { workspace in
            let token = "ghs_" + String(repeating: "A1b2", count: 9)
            let runner = CommandRunner(workspace: workspace.url)
            let result = try await runner.run(["sh", "-c", "echo \"$GITHUB_TOKEN\"; echo opaque-secret-1 >&2"],
                                              environment: ["GITHUB_TOKEN": token], knownSecrets: ["opaque-secret-1"])
            #expect(result.stdout == "ghs_***\n")
            #expect(result.stderr == "***\n")
        }
    }
}
