import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Issue 14: run output under pressure — a flood is capped in the history without memory growth,
/// and ten sessions printing at once each deliver every line, in order, to their watchers.
@Suite("Run output", .serialized)
struct RunOutputTests {
    /// The high-water mark of a process's resident memory, in bytes.
    static func peakMemory(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    @Test("a flood of output is capped in the history (oldest dropped, with a marker) and neither the agent nor the control plane grows with it")
    func floodIsCapped() async throws {
        let cap = 1 << 20
        let flood = 64 << 20
        try await SessionsFixture.with(environment: [
            "NETCLODE_AGENT_COMMAND": AgentScript.json("head -c \(flood) /dev/zero | tr '\\0' x; echo; echo end"),
            "NETCLODE_RUN_OUTPUT_CAP": String(cap),
        ]) { fixture in
            let session = try await fixture.readySession()
            let agent = try #require(SandboxProcesses.agentPID(of: session.id))
            let agentBefore = try #require(Self.peakMemory(agent))
            let serverBefore = try #require(Self.peakMemory(fixture.controlPlane.processIdentifier))

            // Count what streams past instead of keeping it.
            let received = Counter()
            let transcript = try await fixture.run(session.id, "flood", deadline: .seconds(600), codec: .proto, keep: false) { response in
                if response.event.kind == "agent_output" { await received.add(response.event.data.utf8.count) }
            }
            #expect(transcript.end?.stage == "finished" && transcript.end?.exitCode == 0)
            // The live stream carried all of it.
            #expect(await received.value == flood + 5)

            let agentGrowth = try #require(Self.peakMemory(agent)) - agentBefore
            let serverGrowth = try #require(Self.peakMemory(fixture.controlPlane.processIdentifier)) - serverBefore
            #expect(agentGrowth < 48 << 20, "the agent grew by \(agentGrowth >> 20) MiB while streaming \(flood >> 20) MiB")
            #expect(serverGrowth < 48 << 20, "the control plane grew by \(serverGrowth >> 20) MiB while streaming \(flood >> 20) MiB")

            // The history keeps at most the cap of output, the newest, and says what it dropped.
            let history = try await fixture.watch(session.id, timeout: .seconds(240)) { items in items.contains { $0.hasSession } }
            let output = history.filter { $0.event.kind == "agent_output" }.map(\.event.data).joined()
            let kept = output.utf8.count
            let ending = String(output.suffix(6))
            #expect(kept <= cap)
            #expect(ending == "x\nend\n")
            let dropped = history.filter { $0.event.kind == "output_dropped" }.map(\.event)
            #expect(!dropped.isEmpty)
            #expect(dropped.reduce(0) { $0 + Int($1.droppedBytes) } >= flood - cap)
            // The run's start and end stay: only output is dropped.
            #expect(history.filter { $0.event.kind == "run" }.map(\.event.stage) == ["started", "finished"])
        }
    }

    @Test("ten sessions each printing 10,000 lines at once: every watcher gets every line, in order")
    func tenSessionsInOrder() async throws {
        let lines = 10_000
        try await SessionsFixture.with(environment: [
            "NETCLODE_AGENT_COMMAND": AgentScript.json("i=1; while [ $i -le \(lines) ]; do echo \"$1 line $i\"; i=$((i+1)); done"),
        ]) { fixture in
            var sessions: [String] = []
            for _ in 0..<10 { sessions.append(try await fixture.readySession().id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in sessions.enumerated() {
                    let prompt = "s\(index)"
                    let expected = (1...lines).map { "\(prompt) line \($0)\n" }.joined()
                    // A watcher subscribed before the run, and the run's own stream.
                    group.addTask {
                        let items = try await fixture.watch(id, timeout: .seconds(600)) { items in
                            items.contains { $0.event.kind == "run" && $0.event.stage == "finished" }
                        }
                        let seen = items.filter { $0.event.kind == "agent_output" }.map(\.event.data).joined()
                        #expect(seen == expected, "watcher of \(id) got \(seen.utf8.count) of \(expected.utf8.count) bytes")
                    }
                    group.addTask {
                        let transcript = try await fixture.run(id, prompt, deadline: .seconds(600))
                        #expect(transcript.output() == expected, "run stream of \(id) got \(transcript.output().utf8.count) of \(expected.utf8.count) bytes")
                        #expect(transcript.end?.exitCode == 0)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("ExecStream streams a long command's output as it comes and ends with its exit code; nothing goes into the history")
    func execStream() async throws {
        try await SessionsFixture.with { fixture in
            let session = try await fixture.readySession()
            // The command waits for a file the test creates only once "first" has arrived: without
            // streaming, "first" would come with the exit code and the command would never end.
            let gate = fixture.controlPlane.dataDirectory.appendingPathComponent("sessions/\(session.id)/workspace/go")
            let request = Netclode_V1_ExecRequest.with {
                $0.sessionID = session.id
                $0.command = ["sh", "-c", "echo first; while [ ! -e go ]; do sleep 0.1; done; echo second >&2; exit 7"]
                $0.timeoutSeconds = 600
            }
            let stream = fixture.client.serverStream("\(SessionsFixture.service)/ExecStream", request, as: Netclode_V1_ExecStreamResponse.self)
            let chunks = try await withDeadline(.seconds(240)) {
                var chunks: [Netclode_V1_ExecStreamResponse] = []
                for try await chunk in stream {
                    if chunk.data == "first\n" { _ = FileManager.default.createFile(atPath: gate.path, contents: nil) }
                    chunks.append(chunk)
                }
                return chunks
            }
            #expect(chunks?.map { $0.hasExitCode ? "exit \($0.exitCode)" : "\($0.stream): \($0.data)" } == ["stdout: first\n", "stderr: second\n", "exit 7"])

            // A missing program ends with 127 and says why, like Exec.
            let missing = Netclode_V1_ExecRequest.with { $0.sessionID = session.id; $0.command = ["no-such-program"] }
            var last = Netclode_V1_ExecStreamResponse()
            var stderr = ""
            for try await chunk in fixture.client.serverStream("\(SessionsFixture.service)/ExecStream", missing, as: Netclode_V1_ExecStreamResponse.self) {
                last = chunk
                if chunk.stream == "stderr" { stderr += chunk.data }
            }
            #expect(last.exitCode == 127 && stderr.contains("no-such-program"))

            let history = try await fixture.watch(session.id) { items in items.contains { $0.hasSession } }
            #expect(!history.contains { $0.event.kind.hasPrefix("exec") })
        }
    }
}

actor Counter {
    private(set) var value = 0
    func add(_ amount: Int) { value += amount }
}
