import Foundation
import NetclodeClient
import NetclodeProto
import TestSupport

/// Scenario 2: GitHub API calls per session lifecycle step, counted by the forge.
///
/// One session with a repository in each of two installations goes through create → access
/// change → refresh → pause → resume → delete; after each step the forge's `/_forge/stats` is read
/// once it has stopped changing, and the difference is that step's calls. Tokens live 30 s, so
/// the broker refreshes about 21 s after the access change (at 70 % of the lifetime).
struct GitHubCallsScenario {
    static let name = "github-calls"
    static let tokenTTL = 30
    let context: BenchContext

    /// What a step is expected to cost, and why.
    struct Expectation {
        var mintsPerInstallation: Int
        var revocations: Int
        var lookups: Int
        var why: String
    }

    func run() async throws -> [ResultRow] {
        let repos = ["alpha/one", "beta/two"]
        return try await Stack.with(context, forge: .bench(repos: repos, tokenTTL: Self.tokenTTL)) { stack in
            let forge = stack.forge!
            let installations = repos.compactMap { forge.installationIDs[String($0.split(separator: "/")[0])] }
            var rows: [ResultRow] = []
            var before = try await settledStats(forge)
            var sessionID = ""

            func step(_ name: String, _ expected: Expectation, _ action: () async throws -> Void) async throws {
                try await action()
                let after = try await settledStats(forge)
                rows.append(row(name, expected: expected, before: before, after: after, installations: installations))
                before = after
            }

            try await step("create", .init(mintsPerInstallation: 1, revocations: 0, lookups: 2, why: "one token per installation; each owner's installation looked up once")) {
                sessionID = try await stack.api.create(name: "bench-calls", repos: repos).id
                try await stack.api.waitFor(sessionID, status: "ready")
            }
            try await step("access change (read → write)", .init(mintsPerInstallation: 1, revocations: 2, lookups: 0, why: "new tokens at the new level; the 2 replaced tokens revoked at once")) {
                let reply = try await stack.api.updateRepoAccess(sessionID, "write")
                guard reply.applied else { throw BenchError("the access change was not applied") }
            }
            try await step("refresh (\(Self.tokenTTL) s tokens)", .init(mintsPerInstallation: 1, revocations: 0, lookups: 0, why: "successors minted; the 2 replaced tokens wait out their grace period")) {
                try await stack.api.watch(sessionID, timeout: .seconds(Self.tokenTTL * 2)) { item, _ in
                    item.event.kind == "token" && item.event.stage == "refreshed"
                }
            }
            try await step("pause", .init(mintsPerInstallation: 0, revocations: 4, lookups: 0, why: "2 live tokens + the 2 retired by the refresh, still in their grace period")) {
                try await stack.api.pause(sessionID)
            }
            try await step("resume", .init(mintsPerInstallation: 1, revocations: 0, lookups: 0, why: "fresh tokens; installations still cached")) {
                try await stack.api.resume(sessionID)
                try await stack.api.waitFor(sessionID, status: "ready")
            }
            try await step("delete", .init(mintsPerInstallation: 0, revocations: 2, lookups: 0, why: "the 2 live tokens revoked")) {
                try await stack.api.delete(sessionID)
            }
            let total = try await settledStats(forge)
            let balanced = total.mints == total.revocations
            rows.append(ResultRow(
                scenario: "2 GitHub calls", label: "whole lifecycle", unit: "count",
                measured: Summary([Double(total.mints)]), target: "every minted token revoked exactly once",
                pass: balanced, note: "mints \(total.mints), revocations \(total.revocations)",
                measuredText: "mints \(total.mints), revocations \(total.revocations), lookups \(total.installationLookups)",
                baselineText: "—"))
            return rows
        }
    }

    private func row(_ step: String, expected: Expectation, before: ForgeStatsSnapshot, after: ForgeStatsSnapshot, installations: [Int]) -> ResultRow {
        let perInstallation = installations.map { id in
            (after.mintsByInstallation[String(id)] ?? 0) - (before.mintsByInstallation[String(id)] ?? 0)
        }
        let mints = after.mints - before.mints
        let revocations = after.revocations - before.revocations
        let lookups = after.installationLookups - before.installationLookups
        let pass = perInstallation.allSatisfy { $0 == expected.mintsPerInstallation }
            && mints == expected.mintsPerInstallation * installations.count
            && revocations == expected.revocations
            && lookups == expected.lookups
        return ResultRow(
            scenario: "2 GitHub calls", label: step, unit: "count", measured: Summary([Double(mints)]),
            target: "mints \(expected.mintsPerInstallation)/installation, revocations \(expected.revocations), lookups \(expected.lookups)",
            pass: pass, note: expected.why,
            samples: [Double(mints), Double(revocations), Double(lookups)],
            measuredText: "mints \(perInstallation.map(String.init).joined(separator: "+")), revocations \(revocations), lookups \(lookups)",
            baselineText: "—")
    }

    /// The forge's counters once they have not moved for a second (revocations after a pause or a
    /// delete may land just after the API call returns); at most 10 s.
    private func settledStats(_ forge: ForgeProcess) async throws -> ForgeStatsSnapshot {
        var last = try await forge.stats()
        var stableSince = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            let current = try await forge.stats()
            if current != last {
                last = current
                stableSince = .now
            } else if ContinuousClock.now - stableSince >= .seconds(1) {
                break
            }
        }
        return last
    }
}
