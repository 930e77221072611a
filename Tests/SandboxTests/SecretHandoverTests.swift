import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// Issue 10, item 2, the runtime's half: the agent's secret reaches the process on its standard
/// input, never through an environment — bubblewrap's init (PID 1 in the sandbox) keeps the
/// environment it was given for the sandbox's life, readable by every command through `/proc`.
@Suite("Secret handover")
struct SecretHandoverTests {
    static let modes: [IsolationMode] = bwrapAvailable ? [.bwrap, .none] : [.none]
    static let secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

    @Test("a secret variable arrives on standard input, with only NAME_FD=0 in the environment", arguments: modes)
    func secretArrivesOnStandardInput(mode: IsolationMode) async throws {
        try await SandboxFixture.with(isolation: mode) { fixture in
            let info = try await fixture.runtime.startLocal(fixture.shell("handover", """
                cat > stdin.txt
                env > env.txt
                for p in /proc/[0-9]*; do cat "$p/environ" "$p/cmdline"; echo; done > proc.txt 2>/dev/null
                """, environment: ["NETCLODE_AGENT_SECRET": Self.secret, "NETCLODE_SESSION_ID": "handover"]))
            #expect(try await fixture.waitForExit("handover") == 0)

            #expect(try fixture.read(info.workspace.appendingPathComponent("stdin.txt")) == "NETCLODE_AGENT_SECRET=\(Self.secret)\n")
            let environment = try fixture.read(info.workspace.appendingPathComponent("env.txt"))
            #expect(environment.split(separator: "\n").contains("NETCLODE_AGENT_SECRET_FD=0"), "\(environment)")
            #expect(environment.split(separator: "\n").contains("NETCLODE_SESSION_ID=handover"), "\(environment)")
            #expect(!environment.contains(Self.secret), "the secret is in the environment")
            // Under bubblewrap this covers PID 1, bwrap's init, which held it before.
            let processes = try fixture.read(info.workspace.appendingPathComponent("proc.txt"))
            #expect(!processes.isEmpty)
            #expect(!processes.contains(Self.secret), "a process of the sandbox has the secret in its environment or command line")
            #expect(!fixture.log(of: "handover").contains(Self.secret))
        }
    }

    @Test("without secret variables, standard input is empty", arguments: modes)
    func noSecretsMeansEmptyInput(mode: IsolationMode) async throws {
        try await SandboxFixture.with(isolation: mode) { fixture in
            let info = try await fixture.runtime.startLocal(SandboxSpec(
                sessionID: "plain", arguments: ["-c", "wc -c < /dev/stdin > count.txt; env > env.txt"],
                environment: ["NETCLODE_AGENT_SECRET": "visible-on-purpose"], hostExecutable: "/bin/sh", secretVariables: []))
            #expect(try await fixture.waitForExit("plain") == 0)
            #expect(try fixture.read(info.workspace.appendingPathComponent("count.txt")).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            #expect(try fixture.read(info.workspace.appendingPathComponent("env.txt")).contains("NETCLODE_AGENT_SECRET=visible-on-purpose"))
        }
    }

    @Test("a secret with a line break is refused before anything is created")
    func lineBreakIsRefused() async throws {
        try await SandboxFixture.with(isolation: .none) { fixture in
            let error = await #expect(throws: SandboxError.self) {
                try await fixture.runtime.startLocal(fixture.shell("broken", "true", environment: ["NETCLODE_AGENT_SECRET": "a\nb"]))
            }
            #expect(error?.code == .invalidSpec)
            #expect(error?.description.contains("NETCLODE_AGENT_SECRET") == true)
            #expect(await fixture.runtime.status(sessionID: "broken") == .notRunning)
            #expect(!FileManager.default.fileExists(atPath: fixture.runtime.directory(of: "broken").path))
        }
    }
}
