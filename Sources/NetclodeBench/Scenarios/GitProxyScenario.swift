import Foundation
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import TestSupport

/// Scenario: the git proxy (issue 11) against git talking to the forge directly.
///
/// - clone of the same repository through the proxy vs directly (target ≤ 1.15×);
/// - 20 clones at once through the proxy vs 20 at once directly;
/// - a 200 MB push (random, incompressible) through the proxy, with the control plane's resident
///   memory sampled every 20 ms: its growth must stay under 50 MB, whether the push streams (a new
///   branch) or is spooled to disk for the fast-forward check (an update of the default branch).
///
/// The host's git presents the session's proxy credential (read from the sandbox's git
/// configuration) in `GIT_CONFIG_*` variables, as the sandbox's git does from its `.gitconfig`.
struct GitProxyScenario {
    static let name = "git-proxy"
    let context: BenchContext

    func run() async throws -> [ResultRow] {
        let work = try TemporaryDirectory(prefix: "netclode-bench-proxy")
        defer { work.remove() }
        let synthetic = work.url.appendingPathComponent("synthetic.git")
        try await SyntheticRepository.create(at: synthetic)
        return try await Stack.with(context, forge: .bench(repos: ["gen/pushes"], imports: ["gen/synthetic=\(synthetic.path)"])) { stack in
            let forge = stack.forge!
            let tokens = try await CloneTokens.mint(from: forge)
            defer { Task { await tokens.revokeAll() } }
            let created = try await stack.api.create(.with {
                $0.name = "bench-proxy"
                $0.repos = ["gen/synthetic", "gen/pushes"]
                $0.repoAccess = "write"
                $0.credentialMode = "proxy"
            })
            let session = created.session.id
            _ = try await stack.api.waitFor(session, status: ["ready"], timeout: .seconds(300))
            let proxy = try await proxyEnvironment(stack, session: session)
            let base = stack.controlPlane.baseURL.absoluteString + "/git/"

            var rows: [ResultRow] = []
            // One clone at a time, alternating.
            var measured: [Double] = []
            var baseline: [Double] = []
            for repetition in 0..<context.repetitions {
                measured.append(try await clone(base + "gen/synthetic.git", environment: proxy, into: work.url))
                baseline.append(try await clone(forge.cloneURL("gen/synthetic").absoluteString, environment: try tokens.environment(forOwner: "gen"), into: work.url))
                benchLog("clone #\(repetition + 1): proxy \(fmt(measured.last!)), direct \(fmt(baseline.last!))")
            }
            let single = Summary(measured).median / Summary(baseline).median
            rows.append(ResultRow(
                scenario: "11 git-proxy", label: "clone through the proxy (synthetic: 2,000 files, 500 commits)", unit: "s",
                measured: Summary(measured), baseline: Summary(baseline), ratio: single, target: "ratio ≤ 1.15", pass: single <= 1.15,
                note: "baseline: git clone of the same repository from the forge with an installation token", samples: measured, baselineSamples: baseline))

            // Twenty at once.
            let concurrent = 20
            let proxyWall = try await clones(concurrent, url: base + "gen/synthetic.git", environment: proxy, into: work.url)
            let directWall = try await clones(concurrent, url: forge.cloneURL("gen/synthetic").absoluteString,
                                              environment: try tokens.environment(forOwner: "gen"), into: work.url)
            benchLog("\(concurrent) clones at once: proxy \(fmt(proxyWall.wall)), direct \(fmt(directWall.wall))")
            let ratio = proxyWall.wall / directWall.wall
            rows.append(ResultRow(
                scenario: "11 git-proxy", label: "\(concurrent) concurrent clones through the proxy (wall time; each clone's time in the samples)", unit: "s",
                measured: Summary([proxyWall.wall]), baseline: Summary([directWall.wall]), ratio: ratio, target: "info", pass: nil,
                note: String(format: "per-clone median %.2f s via the proxy vs %.2f s direct; all %d succeeded", Summary(proxyWall.each).median, Summary(directWall.each).median, concurrent),
                samples: proxyWall.each, baselineSamples: directWall.each))

            // 200 MB pushes: streamed (a new branch) and spooled (the default branch, checked).
            let pushes = try await pushRows(stack, base: base, environment: proxy, work: work.url)
            rows += pushes
            _ = try? await stack.api.delete(session)
            return rows
        }
    }

    /// `GIT_CONFIG_*` entries that make a host git present the session's proxy credential.
    private func proxyEnvironment(_ stack: Stack, session: String) async throws -> [String: String] {
        // Reversed inside the sandbox: exec output redacts `Authorization:` values.
        let result = try await stack.api.exec(.with {
            $0.sessionID = session
            $0.command = ["sh", "-c", "git config --get-regexp 'http\\..*extraheader' | cut -d' ' -f2- | rev"]
        })
        let header = String(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).reversed())
        guard header.hasPrefix("Authorization: Bearer ncgit_") else { throw BenchError("no proxy credential in the sandbox's git config: \(result.stderr)") }
        return ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader", "GIT_CONFIG_VALUE_0": header]
    }

    private func clone(_ url: String, environment: [String: String], into work: URL, flags: [String] = []) async throws -> Double {
        let destination = work.appendingPathComponent("clone-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: destination) }
        let started = ContinuousClock.now
        try await Git.run(Git.tokenFromEnvironment + ["clone", "-q"] + flags + [url, destination.path], environment: environment)
        return (ContinuousClock.now - started).seconds
    }

    private func clones(_ count: Int, url: String, environment: [String: String], into work: URL) async throws -> (wall: Double, each: [Double]) {
        let started = ContinuousClock.now
        let each = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<count { group.addTask { try await clone(url, environment: environment, into: work) } }
            return try await group.reduce(into: [Double]()) { $0.append($1) }
        }
        return ((ContinuousClock.now - started).seconds, each)
    }

    private func pushRows(_ stack: Stack, base: String, environment: [String: String], work: URL) async throws -> [ResultRow] {
        let checkout = work.appendingPathComponent("pushes")
        try await Git.run(Git.tokenFromEnvironment + ["clone", "-q", base + "gen/pushes.git", checkout.path], environment: environment)
        let payload = checkout.appendingPathComponent("payload.bin")
        try writeRandom(to: payload, megabytes: 200)
        try await Git.run(["-c", "user.name=bench", "-c", "user.email=bench@example.com", "add", "payload.bin"], in: checkout)
        try await Git.run(["-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "200 MB"], in: checkout)
        var rows: [ResultRow] = []
        for (label, refspec, path) in [
            ("200 MB push of a new branch (streamed)", "HEAD:refs/heads/bench-large", "streamed to GitHub as it arrives"),
            ("200 MB push to the default branch (spooled to disk, fast-forward checked)", "HEAD:refs/heads/main", "spooled to disk, checked in the mirror, then sent"),
        ] {
            let pid = stack.controlPlane.processIdentifier
            let before = ProcessMemory.residentMB(pid) ?? 0
            let peak = Locked(before)
            let sampler = Task {
                while !Task.isCancelled {
                    if let now = ProcessMemory.residentMB(pid) { peak.withLock { $0 = max($0, now) } }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            let started = ContinuousClock.now
            do {
                try await Git.run(["push", "-q", "origin", refspec], in: checkout, environment: environment)
            } catch {
                sampler.cancel()
                throw error
            }
            let seconds = (ContinuousClock.now - started).seconds
            sampler.cancel()
            let growth = peak.withLock { $0 } - before
            benchLog("\(label): \(fmt(seconds)), control plane RSS \(String(format: "%.1f", before)) → peak +\(String(format: "%.1f", growth)) MB")
            rows.append(ResultRow(
                scenario: "11 git-proxy", label: label, unit: "MB", measured: Summary([growth]), baseline: nil, ratio: nil,
                target: "RSS growth < 50 MB", pass: growth < 50,
                note: String(format: "control plane RSS %.1f MB before; push took %.1f s (%.0f MB/s); %@", before, seconds, 200 / seconds, path),
                samples: [growth]))
        }
        return rows
    }

    private func writeRandom(to file: URL, megabytes: Int) throws {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<megabytes {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            for index in stride(from: 0, to: chunk.count, by: 8) {
                withUnsafeBytes(of: generator.next() as UInt64) { bytes in
                    for offset in 0..<8 { chunk[index + offset] = bytes[offset] }
                }
            }
            try handle.write(contentsOf: chunk)
        }
    }
}
