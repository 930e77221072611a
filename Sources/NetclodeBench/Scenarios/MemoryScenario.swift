import Foundation
import NetclodeClient
import NetclodeProto
import TestSupport

/// Scenario 6: resident memory (VmRSS) of the control plane idle, with 100 sessions without
/// repositories, and with 20 sessions each running an agent that has cloned a small repository;
/// and of those agents. Read after the sessions are ready and 2 s of quiet.
struct MemoryScenario {
    static let name = "memory"
    static let idleSessions = 100
    static let cloningSessions = 20
    let context: BenchContext

    func run() async throws -> [ResultRow] {
        try await Stack.with(context, forge: .bench(repos: ["acme/small"])) { stack in
            let api = stack.api
            let pid = stack.controlPlane.processIdentifier
            try await Task.sleep(for: .seconds(2))
            let idle = try Self.rss(pid)

            let empty = try await Self.createReady(api, count: Self.idleSessions, repos: [])
            try await Task.sleep(for: .seconds(2))
            let withEmpty = try Self.rss(pid)
            let emptyAgents = ProcessMemory.agentPIDs(sessions: Set(empty)).compactMap(ProcessMemory.residentMB)
            try await api.deleteAll(empty)
            benchLog("memory: control plane \(Int(idle)) MB idle, \(Int(withEmpty)) MB with \(Self.idleSessions) sessions (\(emptyAgents.count) agents)")

            let cloned = try await Self.createReady(api, count: Self.cloningSessions, repos: ["acme/small"])
            try await Task.sleep(for: .seconds(2))
            let withCloned = try Self.rss(pid)
            let agents = ProcessMemory.agentPIDs(sessions: Set(cloned)).compactMap(ProcessMemory.residentMB)
            try await api.deleteAll(cloned)
            guard agents.count == Self.cloningSessions else {
                throw BenchError("found \(agents.count) agent processes for \(Self.cloningSessions) sessions")
            }
            let agentSummary = Summary(agents)
            let average = agents.reduce(0, +) / Double(agents.count)
            let emptyAverage = emptyAgents.isEmpty ? Double.nan : emptyAgents.reduce(0, +) / Double(emptyAgents.count)
            return [
                Self.row("control plane, idle", idle, target: "—", pass: nil),
                Self.row("control plane, \(Self.idleSessions) sessions without repos", withEmpty, target: "< 150 MB", pass: withEmpty < 150,
                         note: "their \(emptyAgents.count) agents: \(String(format: "%.1f", emptyAverage)) MB each on average"),
                Self.row("control plane, \(Self.cloningSessions) sessions with a running agent", withCloned, target: "—", pass: nil),
                ResultRow(
                    scenario: "6 memory", label: "agent, average of \(agents.count) (1 small repo cloned each)", unit: "MB",
                    measured: agentSummary, target: "< 40 MB per agent", pass: agentSummary.max < 40,
                    note: "average \(String(format: "%.1f", average)) MB, max \(String(format: "%.1f", agentSummary.max)) MB, sum \(String(format: "%.0f", agents.reduce(0, +))) MB",
                    samples: agents,
                    measuredText: "\(String(format: "%.1f", average)) MB avg (max \(String(format: "%.1f", agentSummary.max)))", baselineText: "—"),
            ]
        }
    }

    private static func row(_ label: String, _ megabytes: Double, target: String, pass: Bool?, note: String = "") -> ResultRow {
        ResultRow(scenario: "6 memory", label: label, unit: "MB", measured: Summary([megabytes]), target: target, pass: pass,
                  note: note, samples: [megabytes], measuredText: String(format: "%.1f MB", megabytes), baselineText: "—")
    }

    private static func rss(_ pid: Int32) throws -> Double {
        guard let value = ProcessMemory.residentMB(pid) else { throw BenchError("cannot read VmRSS of the control plane (pid \(pid))") }
        return value
    }

    /// Creates `count` sessions (8 at a time) and waits until every one is ready.
    private static func createReady(_ api: SessionClient, count: Int, repos: [String]) async throws -> [String] {
        let ids = Locked<[String]>([])
        try await forEachConcurrently(Array(0..<count), width: 8) { index in
            let id = try await api.create(name: "bench-memory-\(index)", repos: repos).id
            ids.withLock { $0.append(id) }
            try await api.waitFor(id, status: "ready")
        }
        return ids.value
    }
}
