import ConnectRPC
import Foundation
import NetclodeClient
import NetclodeProto
import Subprocess
import SwiftProtobuf

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Scenario 9: a run's output, from the agent command's stdout to a client.
///
/// - Latency: the agent command prints a line with the wall-clock time every 20 ms; a
///   `WatchSession` watcher in this process (same clock) records receipt − print time.
/// - Throughput: the agent command prints 64 MiB; the time from `RunPrompt` to the run's end
///   event as this process receives it (proto codec, every chunk read), against the same bytes
///   through a plain pipe (`… | cat > /dev/null`) on this machine. The ratio says what the whole
///   path (agent → reports → control plane → history → stream) costs relative to a pipe.
struct RunOutputScenario {
    static let name = "run-output"
    static let lines = 300
    static let floodBytes = 64 << 20
    let context: BenchContext

    static let latencyScript = "i=0; while [ $i -lt \(lines) ]; do echo \"t $(date +%s%N)\"; sleep 0.02; i=$((i+1)); done"
    static let floodScript = "head -c \(floodBytes) /dev/zero | tr '\\0' x"

    func run() async throws -> [ResultRow] {
        // The prompt picks the script: the agent command is `sh -c "$1"`.
        let command = String(decoding: try JSONEncoder().encode(["sh", "-c", "eval \"$1\"", "agent", "{prompt}"]), as: UTF8.self)
        return try await Stack.with(context, forge: nil, environment: ["NETCLODE_AGENT_COMMAND": command, "NETCLODE_RUN_OUTPUT_CAP": String(16 << 20)]) { stack in
            let api = stack.api
            let session = try await api.create(name: "bench-runs").id
            try await api.waitFor(session, status: "ready")

            let latencies = try await Self.latency(api: api, session: session)
            let streamed = try await Self.streamSeconds(api: api, session: session)
            let piped = try await Self.pipeSeconds()
            try await api.delete(session)

            let megabytes = Double(Self.floodBytes) / 1_048_576
            let streamRate = megabytes / streamed
            let pipeRate = megabytes / piped
            return [
                ResultRow(
                    scenario: "9 run output", label: "agent prints → watcher receives (p50 / p99)", unit: "s",
                    measured: Summary(latencies), target: "info", pass: nil,
                    note: "\(latencies.count) lines, one every 20 ms; p50 \(fmt(Summary(latencies).median)), p90 \(fmt(Summary(latencies).p90)), p99 \(fmt(Summary(latencies).p99)), max \(fmt(Summary(latencies).max))",
                    samples: latencies,
                    measuredText: "\(fmt(Summary(latencies).median)) / \(fmt(Summary(latencies).p99))", baselineText: "—"),
                ResultRow(
                    scenario: "9 run output", label: "output throughput, \(Int(megabytes)) MiB: RunPrompt stream vs plain pipe", unit: "MiB/s",
                    measured: Summary([streamRate]), baseline: Summary([pipeRate]), ratio: streamRate / pipeRate, target: "info", pass: nil,
                    note: "stream \(String(format: "%.1f", streamRate)) MiB/s (\(String(format: "%.2f", streamed)) s), pipe \(String(format: "%.1f", pipeRate)) MiB/s (\(String(format: "%.2f", piped)) s); ratio \(String(format: "%.3f", streamRate / pipeRate))",
                    measuredText: String(format: "%.1f", streamRate), baselineText: String(format: "%.1f", pipeRate)),
            ]
        }
    }

    /// Print-to-receipt delays of the latency script's lines, seen by a watcher.
    private static func latency(api: SessionClient, session: String) async throws -> [Double] {
        let watcher = Task { () throws -> [Double] in
            var latencies: [Double] = []
            var partial = ""
            for try await item in api.watch(session) where item.event.kind == "agent_output" {
                let received = Date().timeIntervalSince1970
                partial += item.event.data
                while let newline = partial.firstIndex(of: "\n") {
                    let line = partial[..<newline]
                    partial = String(partial[partial.index(after: newline)...])
                    if line.hasPrefix("t "), let nanoseconds = Double(line.dropFirst(2)) {
                        latencies.append(received - nanoseconds / 1e9)
                    }
                }
                if latencies.count >= lines { break }
            }
            return latencies
        }
        // Let the watcher subscribe (its history replay ends with the snapshot) before the run.
        try await Task.sleep(for: .seconds(1))
        try await follow(api: api, session: session, prompt: latencyScript)
        let collected = try await withThrowingTaskGroup(of: [Double]?.self) { group in
            group.addTask { try await watcher.value }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                watcher.cancel()
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let collected, collected.count == lines else {
            throw BenchError("the watcher received \(collected?.count ?? 0) of \(lines) timed lines")
        }
        return collected
    }

    /// Seconds from `RunPrompt` to the run's end event, every chunk read.
    private static func streamSeconds(api: SessionClient, session: String) async throws -> Double {
        let started = ContinuousClock.now
        let bytes = try await follow(api: api, session: session, prompt: floodScript)
        guard bytes == floodBytes else { throw BenchError("the stream carried \(bytes) of \(floodBytes) bytes") }
        return (ContinuousClock.now - started).seconds
    }

    /// Runs `prompt` and reads the run's stream to its end; the output bytes received.
    @discardableResult
    private static func follow(api: SessionClient, session: String, prompt: String) async throws -> Int {
        let request = Netclode_V1_RunPromptRequest.with {
            $0.sessionID = session
            $0.prompt = prompt
        }
        var bytes = 0
        for try await response in api.runPrompt(request) {
            if response.event.kind == "agent_output" { bytes += response.event.data.utf8.count }
            if response.event.kind == "run", response.event.stage != "started", !(response.event.stage == "finished" && response.event.exitCode == 0) {
                throw BenchError("the run ended \(response.event.stage): \(response.event.message)")
            }
        }
        return bytes
    }

    /// The same bytes through a plain pipe on this machine.
    private static func pipeSeconds() async throws -> Double {
        let started = ContinuousClock.now
        let result = try await Subprocess.run(.path(FilePath("/bin/sh")), arguments: ["-c", "\(floodScript) | cat > /dev/null"], output: .discarded)
        guard result.terminationStatus.isSuccess else { throw BenchError("the pipe baseline failed: \(result.terminationStatus)") }
        return (ContinuousClock.now - started).seconds
    }
}
