import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NetclodeClient
import NetclodeProto
import TestSupport

/// Scenario 3: requests/s of the Connect API against a bare Hummingbird JSON route served by the
/// same `netclode serve` process (`POST /_bench/echo`, on with `NETCLODE_BENCH_ROUTES=1`).
///
/// A fixed number of concurrent callers loop for a fixed time; the ratio API/bare shows what
/// Connect framing, authentication, protobuf and the session manager cost on top of HTTP.
/// The client runs in this process on the same machine, so both sides share the cores, as they
/// would for the bare route too.
///
/// Targets: GetSession ≥ 50 % of the bare route. CreateSession ≥ 25 % of it with p99 ≤ 10 ms: a
/// create does real work before it answers (validation, an ID, a start-slot reservation, a SQLite
/// insert, a background task), so it cannot cost what an RPC that does nothing costs; the
/// sandbox itself starts after the answer, bounded by the start limiter. The start queue is made
/// large (`NETCLODE_MAX_QUEUED_STARTS`) so that the measurement is of the API, not of the queue's
/// refusals.
struct APIOverheadScenario {
    static let name = "api-overhead"
    static let concurrency = 16
    static let getDuration: Duration = .seconds(3)
    /// Shorter: every CreateSession starts a sandbox process, and the sessions pile up until deleted.
    static let createDuration: Duration = .seconds(2)
    static let environment = ["NETCLODE_BENCH_ROUTES": "1", "NETCLODE_MAX_QUEUED_STARTS": "100000"]
    let context: BenchContext

    func run() async throws -> [ResultRow] {
        var rows = try await Stack.with(context, forge: nil, environment: Self.environment) { stack in
            let api = stack.api
            let target = try await api.create(name: "bench-get").id
            try await api.waitFor(target, status: "ready")
            let get: @Sendable () async throws -> Void = { _ = try await api.get(target) }
            var rows = [try await compare("GetSession", get, duration: Self.getDuration, stack: stack, target: .init(ratio: 0.5))]
            rows.append(try await compareCreate("CreateSession (no repos)", stack: stack, target: .init(ratio: 0.25, p99: 0.010)))
            rows.append(try await createLatency(stack))
            try await api.delete(target)
            return rows
        }
        // Diagnostic: the same CreateSession load with one sandbox starting at a time, to show how
        // much of a create's cost under load is the sandbox starts it causes in the background.
        let diagnostic = try await Stack.with(context, forge: nil, environment: Self.environment.merging(["NETCLODE_MAX_CONCURRENT_STARTS": "1"]) { $1 }) { stack in
            var row = try await compareCreate("CreateSession (no repos), NETCLODE_MAX_CONCURRENT_STARTS=1", stack: stack, target: .init(ratio: 0.25, p99: 0.010))
            row.pass = nil
            row.target = "diagnostic (one start at a time)"
            return row
        }
        rows.append(diagnostic)
        return rows
    }

    /// Diagnostic: one caller, one CreateSession at a time. If 16 callers get about 1/latency
    /// creates per second rather than 16/latency, the creates are serialised somewhere.
    private func createLatency(_ stack: Stack) async throws -> ResultRow {
        var durations: [Double] = []
        var ids: [String] = []
        for _ in 0..<20 {
            let started = ContinuousClock.now
            ids.append(try await stack.api.create(name: "bench-create-1").id)
            durations.append((ContinuousClock.now - started).seconds)
        }
        try await stack.api.deleteAll(ids)
        let summary = Summary(durations)
        return ResultRow(
            scenario: "3 API overhead", label: "CreateSession (no repos), 1 caller: latency median / p90 of 20", unit: "s",
            measured: summary, target: "diagnostic", pass: nil,
            note: "1 / median = \(Int(1 / summary.median)) creates/s for a single caller",
            samples: durations, measuredText: "\(fmt(summary.median)) / \(fmt(summary.p90))", baselineText: "—")
    }

    /// CreateSession under load; the sessions it made are deleted after each repetition.
    private func compareCreate(_ label: String, stack: Stack, target: Target) async throws -> ResultRow {
        let api = stack.api
        let created = Locked<[String]>([])
        let create: @Sendable () async throws -> Void = {
            let id = try await api.create(name: "bench-create").id
            created.withLock { $0.append(id) }
        }
        return try await compare(label, create, duration: Self.createDuration, stack: stack, target: target) {
            let ids = created.withLock { ids in defer { ids = [] }; return ids }
            let cleanup = ContinuousClock.now
            try await api.deleteAll(ids)
            benchLog("deleted \(ids.count) sessions in \(ContinuousClock.now - cleanup)")
        }
    }

    /// What a compared row must reach: a throughput ratio to the bare route, and optionally a p99
    /// latency (seconds) of the API's calls.
    struct Target {
        var ratio: Double
        var p99: Double?

        var description: String {
            "ratio ≥ \(String(format: "%.2f", ratio))" + (p99.map { ", p99 ≤ \(Int($0 * 1000)) ms" } ?? "")
        }
    }

    /// `call` against the bare route, alternating, `repetitions` times each, after a warm-up.
    private func compare(_ label: String, _ call: @escaping @Sendable () async throws -> Void, duration: Duration, stack: Stack,
                         target: Target, afterEach: () async throws -> Void = {}) async throws -> ResultRow {
        let echoURL = stack.controlPlane.baseURL.appendingPathComponent("_bench/echo").absoluteString
        let bare: @Sendable () async throws -> Void = { try await Self.echo(echoURL) }
        // Warm up connections and code paths before measuring.
        _ = try await Self.load(bare, duration: .milliseconds(500))
        _ = try await Self.load(call, duration: .milliseconds(500))
        try await afterEach()
        var measured: [Double] = []
        var baseline: [Double] = []
        var latencies: [Double] = []
        for repetition in 0..<context.repetitions {
            let api = try await Self.load(call, duration: duration)
            measured.append(api.rate)
            latencies += api.latencies
            // Cleaned up before the bare route runs: sandboxes still starting in the background
            // would otherwise slow the baseline down and flatter the ratio.
            try await afterEach()
            baseline.append(try await Self.load(bare, duration: duration).rate)
            benchLog("\(label) #\(repetition + 1): \(Int(measured.last!)) req/s vs bare \(Int(baseline.last!)) req/s")
        }
        let m = Summary(measured)
        let b = Summary(baseline)
        let ratio = m.median / b.median
        let latency = Summary(latencies)
        return ResultRow(
            scenario: "3 API overhead", label: "\(label), \(Self.concurrency) concurrent", unit: "req/s",
            measured: m, baseline: b, ratio: ratio, target: target.description,
            pass: ratio >= target.ratio && target.p99.map { latency.p99 <= $0 } ?? true,
            note: "baseline: POST /_bench/echo (bare Hummingbird JSON route) on the same process; median of per-pair ratios "
                + String(format: "%.2f", Summary(zip(measured, baseline).map { $0 / $1 }).median)
                + "; API call latency p50 \(fmt(latency.median)), p99 \(fmt(latency.p99)) over \(latencies.count) calls",
            samples: measured, baselineSamples: baseline)
    }

    /// Completed calls per second with `concurrency` callers looping for `duration`. A failed
    /// call fails the measurement: a rate that includes errors would be meaningless.
    static func load(_ call: @escaping @Sendable () async throws -> Void, duration: Duration) async throws -> (rate: Double, latencies: [Double]) {
        let started = ContinuousClock.now
        let deadline = started + duration
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Double] = []
                    while ContinuousClock.now < deadline {
                        let sent = ContinuousClock.now
                        try await call()
                        latencies.append((ContinuousClock.now - sent).seconds)
                    }
                    return latencies
                }
            }
            return try await group.reduce([], +)
        }
        return (Double(latencies.count) / (ContinuousClock.now - started).seconds, latencies)
    }

    static func echo(_ url: String) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "{}"))
        let response = try await BenchHTTP.client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else { throw BenchError("POST /_bench/echo answered \(response.status)") }
    }
}
