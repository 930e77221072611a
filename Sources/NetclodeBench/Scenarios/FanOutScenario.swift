import ConnectRPC
import Foundation
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import TestSupport

/// Scenario 4: one session, 100 `WatchSession` streams, events appended at 1,000/s for 10 s.
///
/// Events are appended the way an agent appends them: `AgentService/Report` with the session's
/// agent secret (read from the agent's memory under /proc, kept in memory, never printed), one
/// report in flight at a time, in order, and — as `netclode agent`'s outbox does — every event
/// made while a report travels leaves with the next one as a batch (at most 64), so every event
/// goes through authentication, the SQLite store and the hub. Each event carries its send time;
/// each watcher (in this process, same clock) records receipt − send time.
///
/// Diagnostics help explain a miss: the append path alone (no watcher), the same load with 10
/// watchers, 100 watchers with one event per report (the agent before it batched), and 100
/// watchers with up to 64 single-event reports in flight at once (several producers racing);
/// CPU time and run-queue wait are recorded.
struct FanOutScenario {
    static let name = "fan-out"
    static let watchers = 100
    static let diagnosticWatchers = 10
    static let rate = 1_000
    static let seconds = 10
    /// The run counts only if the appends kept up with the rate to within this fraction: a low
    /// latency at a third of the rate does not meet a target stated at the full rate.
    static let minimumRateFraction = 0.95

    private static func held(_ outcome: Outcome) -> Bool {
        outcome.appendRate >= minimumRateFraction * Double(rate)
    }

    /// Report calls in flight at most in the concurrent diagnostic.
    static let maximumInFlight = 64
    /// Events in one batched report at most (the agent's `ReportOutbox.batchCount`).
    static let batchCount = 64

    /// How events travel: batched as the agent sends them, or one per report with up to
    /// `inFlight` reports at once.
    enum Appending: CustomStringConvertible {
        case batched
        case single(inFlight: Int)

        var description: String {
            switch self {
            case .batched: "batched"
            case .single(let inFlight): "single-\(inFlight)"
            }
        }
    }
    /// How long the streams may take to deliver what is left once appending is over.
    static let drainTimeout: Duration = .seconds(20)
    let context: BenchContext

    /// What one run measured.
    struct Outcome {
        var delivered: Int
        var expected: Int
        var failedReports: Int
        var appendRate: Double
        var latency: Summary
        var cpu: String
        /// Events of the run in the stored history (read afterwards), and the fewest and most
        /// any one watcher received live: all equal and short of `stored` means events were
        /// dropped on the live path, not merely late.
        var stored: Int
        var perWatcher: ClosedRange<Int>
    }

    func run() async throws -> [ResultRow] {
        try await Stack.with(context, forge: nil) { stack in
            let api = stack.api
            let session = try await api.create(name: "bench-fanout").id
            try await api.waitFor(session, status: "ready")
            guard let secret = SandboxProcesses.agentSecret(of: session) else {
                throw BenchError("cannot read the agent secret of session \(session) from the agent's memory (/proc/<pid>/mem; needs root)")
            }
            let agent = ConnectClient(baseURL: stack.controlPlane.baseURL.absoluteString, httpClient: BenchHTTP.client,
                                      codec: .proto, headers: [("Authorization", "Bearer \(secret)")])
            let controlPlanePID = String(stack.controlPlane.processIdentifier)

            // The append path alone: 2 s at the same rate, no watcher.
            let probeCPU = CPUTime.seconds(controlPlanePID) ?? 0
            let probeStarted = ContinuousClock.now
            let probeFailures = await Self.append(2 * Self.rate, session: session, agent: agent, kind: "probe", .batched)
            let probeSeconds = (ContinuousClock.now - probeStarted).seconds
            let probeRate = Double(2 * Self.rate - probeFailures) / probeSeconds
            let probeCores = ((CPUTime.seconds(controlPlanePID) ?? 0) - probeCPU) / probeSeconds
            let probe = "append path alone (no watcher): \(Int(probeRate))/s at \(String(format: "%.2f", probeCores)) control-plane cores"
            benchLog("fan-out: \(probe)")

            let main = try await Self.measure(watchers: Self.watchers, session: session, api: api, agent: agent,
                                              controlPlanePID: controlPlanePID, .batched)
            let small = try await Self.measure(watchers: Self.diagnosticWatchers, session: session, api: api, agent: agent,
                                               controlPlanePID: controlPlanePID, .batched)
            let unbatched = try await Self.measure(watchers: Self.watchers, session: session, api: api, agent: agent,
                                                   controlPlanePID: controlPlanePID, .single(inFlight: 1))
            // Concurrent appends to one session: if live events go missing only here, the cause
            // is the order in which concurrent appends are published.
            let concurrent = try await Self.measure(watchers: Self.watchers, session: session, api: api, agent: agent,
                                                    controlPlanePID: controlPlanePID, .single(inFlight: Self.maximumInFlight))
            try await api.delete(session)

            var rows = [
                ResultRow(
                    scenario: "4 event fan-out", label: "delivered (\(Self.watchers) watchers × \(Self.rate * Self.seconds) events)", unit: "count",
                    measured: Summary([Double(main.delivered)]), target: "all \(main.expected), at ≥ \(Int(Self.minimumRateFraction * Double(Self.rate)))/s",
                    pass: main.delivered == main.expected && main.failedReports == 0 && Self.held(main),
                    note: "stored \(main.stored); each watcher received \(main.perWatcher.lowerBound)...\(main.perWatcher.upperBound) live; append rate achieved \(Int(main.appendRate))/s; failed reports \(main.failedReports); \(probe); \(main.cpu)",
                    measuredText: "\(main.delivered)", baselineText: "—"),
                ResultRow(
                    scenario: "4 event fan-out", label: "delivery latency, append → watcher, \(Self.watchers) watchers (p50 / p99)", unit: "s",
                    measured: main.latency, target: "p99 < 50 ms, at ≥ \(Int(Self.minimumRateFraction * Double(Self.rate)))/s", pass: main.latency.p99 < 0.050 && Self.held(main),
                    note: "p50 \(fmt(main.latency.median)), p90 \(fmt(main.latency.p90)), p99 \(fmt(main.latency.p99)), max \(fmt(main.latency.max)); append rate achieved \(Int(main.appendRate))/s",
                    measuredText: "\(fmt(main.latency.median)) / \(fmt(main.latency.p99))", baselineText: "—"),
            ]
            rows.append(ResultRow(
                scenario: "4 event fan-out", label: "diagnostic: \(Self.diagnosticWatchers) watchers, delivered; latency p50 / p99", unit: "s",
                measured: small.latency, target: "diagnostic", pass: nil,
                note: "delivered \(small.delivered) of \(small.expected); stored \(small.stored); each watcher received \(small.perWatcher.lowerBound)...\(small.perWatcher.upperBound) live; append rate \(Int(small.appendRate))/s; \(small.cpu)",
                measuredText: "\(small.delivered)/\(small.expected); \(fmt(small.latency.median)) / \(fmt(small.latency.p99))", baselineText: "—"))
            rows.append(ResultRow(
                scenario: "4 event fan-out", label: "diagnostic: \(Self.watchers) watchers, one event per report, one at a time", unit: "s",
                measured: unbatched.latency, target: "diagnostic", pass: nil,
                note: "delivered \(unbatched.delivered) of \(unbatched.expected); stored \(unbatched.stored); each watcher received \(unbatched.perWatcher.lowerBound)...\(unbatched.perWatcher.upperBound) live; append rate \(Int(unbatched.appendRate))/s; \(unbatched.cpu)",
                measuredText: "\(unbatched.delivered)/\(unbatched.expected) at \(Int(unbatched.appendRate))/s; \(fmt(unbatched.latency.median)) / \(fmt(unbatched.latency.p99))", baselineText: "—"))
            rows.append(ResultRow(
                scenario: "4 event fan-out", label: "diagnostic: \(Self.watchers) watchers, up to \(Self.maximumInFlight) reports in flight", unit: "s",
                measured: concurrent.latency, target: "diagnostic", pass: nil,
                note: "delivered \(concurrent.delivered) of \(concurrent.expected); stored \(concurrent.stored); each watcher received \(concurrent.perWatcher.lowerBound)...\(concurrent.perWatcher.upperBound) live; append rate \(Int(concurrent.appendRate))/s; \(concurrent.cpu)",
                measuredText: "\(concurrent.delivered)/\(concurrent.expected); \(fmt(concurrent.latency.median)) / \(fmt(concurrent.latency.p99))", baselineText: "—"))
            return rows
        }
    }

    /// `watchers` streams subscribed, then `rate × seconds` events appended and drained.
    private static func measure(watchers: Int, session: String, api: SessionClient, agent: ConnectClient, controlPlanePID: String,
                                _ appending: Appending) async throws -> Outcome {
        let total = rate * seconds
        let subscribed = Locked(0)
        // Each stream replays the history first; only this run's events (their kind) are counted.
        let kind = "bench-\(watchers)-\(appending)"
        let watchTask = Task {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for _ in 0..<watchers {
                    group.addTask { try await watch(api, session, kind: kind, expecting: total, subscribed: subscribed) }
                }
                var all: [[Double]] = []
                for try await latencies in group { all.append(latencies) }
                return all
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while subscribed.value < watchers {
            guard ContinuousClock.now < deadline else {
                watchTask.cancel()
                throw BenchError("only \(subscribed.value) of \(watchers) watchers subscribed")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        benchLog("fan-out: \(watchers) watchers subscribed; appending \(total) events at \(rate)/s")

        let before = (cp: CPUTime.seconds(controlPlanePID) ?? 0, cpWait: CPUTime.runQueueWait(controlPlanePID),
                      bench: CPUTime.seconds("self") ?? 0)
        let started = ContinuousClock.now
        let failures = await append(total, session: session, agent: agent, kind: kind, appending)
        let appendSeconds = (ContinuousClock.now - started).seconds
        benchLog("fan-out: appended in \(fmt(appendSeconds)) (\(failures) failed reports); draining")
        let drain = Task {
            try await Task.sleep(for: drainTimeout)
            watchTask.cancel()
        }
        let latencies = (try? await watchTask.value) ?? []
        drain.cancel()
        let wall = (ContinuousClock.now - started).seconds
        let cores = ((CPUTime.seconds(controlPlanePID) ?? 0) - before.cp) / wall
        let waited = (CPUTime.runQueueWait(controlPlanePID) - before.cpWait) / wall
        let benchCores = ((CPUTime.seconds("self") ?? 0) - before.bench) / wall
        // (The client's own wait is not given: its threads come and go, and a thread's schedstat
        // leaves with it, so a sum over the current threads can even go down.)
        let cpu = String(format: "over %.1f s: control plane ran %.2f cores and its threads waited for a CPU %.2f s per s; benchmark client ran %.2f cores",
                         wall, cores, waited, benchCores)
            + " (\(ProcessInfo.processInfo.activeProcessorCount) cores; load average \(CPUTime.loadAverage()))"
        benchLog("fan-out: \(cpu)")
        let stored = try await storedCount(api, session, kind: kind)
        let counts = latencies.map(\.count)
        benchLog("fan-out: \(stored) events stored; each watcher received \(counts.min() ?? 0)...\(counts.max() ?? 0) live")
        return Outcome(
            delivered: latencies.reduce(0) { $0 + $1.count }, expected: total * watchers, failedReports: failures,
            appendRate: Double(total - failures) / appendSeconds, latency: Summary(latencies.flatMap { $0 }), cpu: cpu,
            stored: stored, perWatcher: (counts.min() ?? 0)...(counts.max() ?? 0))
    }

    /// Events of `kind` in the session's stored history (a fresh watch, up to its snapshot).
    private static func storedCount(_ api: SessionClient, _ session: String, kind: String) async throws -> Int {
        var count = 0
        for try await item in api.watch(session) {
            if item.type == "session.updated" { break }
            if item.event.kind == kind { count += 1 }
        }
        return count
    }

    /// One watcher: counts the events of `kind` and their latencies until it has them all.
    private static func watch(_ api: SessionClient, _ session: String, kind: String, expecting total: Int, subscribed: Locked<Int>) async throws -> [Double] {
        var latencies: [Double] = []
        latencies.reserveCapacity(total)
        var announced = false
        do {
            for try await item in api.watch(session) {
                if item.type == "session.updated", !announced {
                    announced = true
                    subscribed.withLock { $0 += 1 }
                }
                guard item.type == "agent.event", item.event.kind == kind else { continue }
                latencies.append(Date().timeIntervalSince(item.event.timestamp.date))
                if latencies.count == total { break }
            }
        } catch where Task.isCancelled {
            // The drain timeout ended the stream: report what arrived.
        }
        return latencies
    }

    /// Makes `total` events, one every 1/rate s on a fixed schedule (a late one does not delay the
    /// next), and reports them as `appending` says; returns how many events failed.
    private static func append(_ total: Int, session: String, agent: ConnectClient, kind: String, _ appending: Appending) async -> Int {
        let start = ContinuousClock.now
        let interval = Duration.nanoseconds(1_000_000_000 / rate)
        let (made, producer) = AsyncStream.makeStream(of: Netclode_V1_AgentEvent.self)
        let production = Task {
            for index in 0..<total {
                try? await Task.sleep(until: start + interval * index, clock: .continuous)
                var event = Netclode_V1_AgentEvent()
                event.kind = kind
                event.message = String(index)
                event.timestamp = Google_Protobuf_Timestamp(date: Date())
                producer.yield(event)
            }
            producer.finish()
        }
        defer { production.cancel() }
        let report: @Sendable ([Netclode_V1_AgentEvent]) async -> Bool = { events in
            var report = Netclode_V1_AgentReport()
            report.sessionID = session
            if events.count == 1 { report.event = events[0] } else { report.events = .with { $0.events = events } }
            do {
                let _: Netclode_V1_AgentReportResponse = try await agent.unary("netclode.v1.AgentService/Report", report, timeout: .seconds(30))
                return true
            } catch {
                return false
            }
        }
        switch appending {
        case .batched:
            // One report in flight; what was made meanwhile is queued and leaves with the next.
            let queue = Locked<(events: [Netclode_V1_AgentEvent], ended: Bool)>(([], false))
            let (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            let collector = Task {
                for await event in made {
                    queue.withLock { $0.events.append(event) }
                    ring.yield()
                }
                queue.withLock { $0.ended = true }
                ring.finish()
            }
            defer { collector.cancel() }
            var failures = 0
            var bell = doorbell.makeAsyncIterator()
            while true {
                let (batch, ended) = queue.withLock { queue in
                    let batch = Array(queue.events.prefix(batchCount))
                    queue.events.removeFirst(batch.count)
                    return (batch, queue.ended && queue.events.isEmpty)
                }
                if !batch.isEmpty, await !report(batch) { failures += batch.count }
                if ended && batch.isEmpty { return failures }
                if batch.isEmpty, await bell.next() == nil, queue.withLock({ $0.events.isEmpty }) { return failures }
            }
        case .single(let maximum):
            return await withTaskGroup(of: Bool.self) { group in
                var failures = 0
                var inFlight = 0
                for await event in made {
                    if inFlight >= maximum, let ok = await group.next() {
                        inFlight -= 1
                        if !ok { failures += 1 }
                    }
                    inFlight += 1
                    group.addTask { await report([event]) }
                }
                for await ok in group where !ok { failures += 1 }
                return failures
            }
        }
    }
}
