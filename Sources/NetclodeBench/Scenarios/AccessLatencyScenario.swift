import Foundation
import NetclodeClient
import NetclodeProto
import TestSupport

/// Scenario 5: `UpdateRepoAccess` round trip on a session with one repository: mint at the new
/// level, the agent switches and acknowledges, the old token is revoked, then the reply.
/// 50 calls alternating write and read, one at a time.
struct AccessLatencyScenario {
    static let name = "access-latency"
    static let calls = 50
    let context: BenchContext

    func run() async throws -> [ResultRow] {
        try await Stack.with(context, forge: .bench(repos: ["acme/app"])) { stack in
            let api = stack.api
            let session = try await api.create(name: "bench-access", repos: ["acme/app"]).id
            try await api.waitFor(session, status: "ready")
            var durations: [Double] = []
            var applied = 0
            for index in 0..<Self.calls {
                let access = index.isMultiple(of: 2) ? "write" : "read"
                let started = ContinuousClock.now
                let reply = try await api.updateRepoAccess(session, access)
                durations.append((ContinuousClock.now - started).seconds)
                if reply.applied && reply.repoAccess == access { applied += 1 }
            }
            try await api.delete(session)
            let summary = Summary(durations)
            return [ResultRow(
                scenario: "5 access change", label: "UpdateRepoAccess → applied (median / p99 of \(Self.calls))", unit: "s",
                measured: summary, target: "all applied (no numeric target)", pass: applied == Self.calls,
                note: "p50 \(fmt(summary.median)), p90 \(fmt(summary.p90)), p99 \(fmt(summary.p99)); applied \(applied)/\(Self.calls)",
                samples: durations,
                measuredText: "\(fmt(summary.median)) / \(fmt(summary.p99))", baselineText: "—")]
        }
    }
}
