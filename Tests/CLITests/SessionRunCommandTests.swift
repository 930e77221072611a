import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `netclode session run` / `cancel` / `create --prompt` against a real control plane (no GitHub
/// App needed: the sessions have no repositories).
@Suite("session run, cancel and create --prompt", .serialized)
struct SessionRunCommandTests {
    /// The prompt picks the behaviour; stdout and stderr both carry something.
    static let script = #"case "$1" in fail) echo "bad" >&2; exit 5;; hang) echo waiting; sleep 600;; *) echo "did: $1"; echo "note" >&2;; esac"#

    static var environment: [String: String] {
        ["NETCLODE_AGENT_COMMAND": String(decoding: try! JSONEncoder().encode(["sh", "-c", script, "agent", "{prompt}"]), as: UTF8.self)]
    }

    @Test("create --prompt waits for the session and runs; run prints the agent's output and exits with its code; cancel stops a run")
    func runFromTheCommandLine() async throws {
        try await CLIFixture.with(withForge: false, environment: Self.environment) { fixture in
            let cli = fixture.cli
            let created = try await cli.run(["session", "create", "--name", "cli-run", "--prompt", "the first thing"], timeout: .seconds(240))
            #expect(created.exitCode == 0, "\(created.stderr)")
            #expect(created.stdout.contains("did: the first thing\n"))
            #expect(created.stderr.contains("note\n"))
            #expect(created.stderr.contains("finished: Exited with code 0"))

            let ok = try await cli.run(["session", "run", "cli-run", "again"], timeout: .seconds(240))
            #expect(ok.exitCode == 0 && ok.stdout == "did: again\n", "\(ok.stdout) \(ok.stderr)")

            let failed = try await cli.run(["session", "run", "cli-run", "fail"], timeout: .seconds(240))
            #expect(failed.exitCode == 5, "the agent's exit code: \(failed.exitCode)")
            #expect(failed.stderr.contains("bad\n"))

            // A hung run, cancelled from a second command: the first exits 130.
            async let hung = cli.run(["session", "run", "cli-run", "hang"], timeout: .seconds(240))
            var cancelled: ProcessResult?
            for _ in 0..<240 {
                let attempt = try await cli.run(["session", "cancel", "cli-run"])
                if attempt.exitCode == 0 {
                    cancelled = attempt
                    break
                }
                #expect(attempt.stderr.contains("has no run in progress"), "\(attempt.stderr)")
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(cancelled?.stdout.hasPrefix("Cancelling run-") == true)
            let result = try await hung
            #expect(result.exitCode == 130, "\(result.stderr)")
            #expect(result.stderr.contains("cancelled"))

            // exec --stream (the default on a terminal) prints as it comes and exits with the code.
            let streamed = try await cli.run(["session", "exec", "cli-run", "--stream", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(streamed.exitCode == 3 && streamed.stdout == "out\n" && streamed.stderr.contains("err\n"), "\(streamed.transcript)")

            // An empty prompt is a usage error before anything is sent.
            let empty = try await cli.run(["session", "run", "cli-run", " "])
            #expect(empty.exitCode == 64)
        }
    }
}
