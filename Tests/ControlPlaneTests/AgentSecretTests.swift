import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Issue 10, item 2: a command run in the sandbox could read the agent's secret — bubblewrap's
/// init (PID 1 of the sandbox) kept it in its environment, and the agent, same user and dumpable,
/// exposed its own `/proc/<pid>/environ` and memory — and with it attach as the agent, receive
/// credentials and forge events. The probe below is such a command, run through `Exec`.
@Suite("The agent's secret is closed to the commands it runs")
struct AgentSecretTests {
    /// Writes into the workspace, so the test reads the findings from the host unredacted.
    static let probe = #"""
        agent=$PPID
        cat /proc/$agent/cmdline | tr '\0' ' ' > probe-agent-cmdline
        for p in /proc/[0-9]*; do cat "$p/environ" "$p/cmdline"; echo; done > probe-proc 2>/dev/null
        for p in /proc/[0-9]*; do timeout 5 cat "$p/fd/0"; done > probe-stdin 2>/dev/null
        : > probe-readable
        if cat /proc/$agent/environ > probe-agent-environ 2>/dev/null; then echo environ >> probe-readable; fi
        if cat /proc/$agent/maps > probe-agent-maps 2>/dev/null; then echo maps >> probe-readable; fi
        while read range perms rest; do
          case "$perms" in rw*)
            start=$((0x${range%-*})); end=$((0x${range#*-}))
            dd if=/proc/$agent/mem bs=4096 skip=$((start / 4096)) count=$(((end - start) / 4096)) 2>/dev/null;;
          esac
        done < probe-agent-maps | grep -a -o -E '[0-9a-f]{64}' > probe-agent-mem
        echo done
        """#

    @Test("a command finds the secret in no process's environment, command line, standard input or memory")
    func commandsCannotReadTheSecret() async throws {
        let fixture = try await SessionsFixture.start()
        do {
            let session = try await fixture.create(repos: [])
            try await fixture.waitFor(session.id, status: "ready")
            let secret = try #require(SandboxProcesses.agentSecret(of: session.id), "the agent's secret (from its memory; needs root)")
            // It is the secret: the control plane takes a report made with it.
            let agent = ConnectClient(baseURL: fixture.controlPlane.baseURL.absoluteString, codec: .proto, headers: [("Authorization", "Bearer \(secret)")])
            let report = Netclode_V1_AgentReport.with {
                $0.sessionID = session.id
                $0.event = .with { $0.kind = "message"; $0.message = "the test knows the secret" }
            }
            _ = try await agent.unary("netclode.v1.AgentService/Report", report, as: Netclode_V1_AgentReportResponse.self, timeout: .seconds(30))

            let result = try await fixture.exec(session.id, ["sh", "-c", Self.probe])
            #expect(result.exitCode == 0 && result.stdout == "done\n", "probe failed: \(result.stderr)")

            let workspace = fixture.controlPlane.dataDirectory.appendingPathComponent("sessions/\(session.id)/workspace")
            func read(_ name: String) -> Data { (try? Data(contentsOf: workspace.appendingPathComponent(name))) ?? Data() }
            #expect(String(decoding: read("probe-agent-cmdline"), as: UTF8.self).contains("agent"),
                    "the probe's parent is the agent")
            #expect(!read("probe-proc").isEmpty, "the probe saw the sandbox's processes")
            for name in ["probe-proc", "probe-stdin", "probe-agent-environ", "probe-agent-maps", "probe-agent-mem"] {
                #expect(read(name).range(of: Data(secret.utf8)) == nil, "a command read the agent's secret from \(name)")
            }
            #expect(String(decoding: read("probe-readable"), as: UTF8.self) == "",
                    "the agent's /proc files are readable by the commands it runs")
        } catch {
            await fixture.finish()
            throw error
        }
        await fixture.finish()
    }
}
