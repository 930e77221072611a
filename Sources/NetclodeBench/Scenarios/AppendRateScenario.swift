import Foundation
import Logging
import Storage
import TestSupport

/// Scenario 7: raw event-append throughput of the SQLite session store, without the control plane
/// around it: 10,000 appends one after the other, then 8 concurrent appenders × 1,250. Each
/// repetition uses a fresh database in a temporary directory.
///
/// This used to be a unit test that printed its rates; a rate says nothing a test can check on a
/// shared machine, so it lives here, next to the fan-out scenario whose append path it isolates.
/// It still fails if an append is lost or cursors do not increase.
struct AppendRateScenario {
    static let name = "append-rate"
    static let sequential = 10_000
    static let appenders = 8
    static let perAppender = 1_250
    /// About the size of a serialised agent event.
    static let payload = [UInt8](repeating: 0x5A, count: 200)
    let context: BenchContext

    func run() async throws -> [ResultRow] {
        var sequentialRates: [Double] = []
        var concurrentRates: [Double] = []
        for repetition in 1...context.repetitions {
            let (sequential, concurrent) = try await Self.measure()
            benchLog("append-rate \(repetition)/\(context.repetitions): sequential \(Int(sequential))/s, \(Self.appenders) concurrent \(Int(concurrent))/s")
            sequentialRates.append(sequential)
            concurrentRates.append(concurrent)
        }
        return [
            Self.row("\(Self.sequential.formatted()) sequential appends", sequentialRates),
            Self.row("\(Self.appenders) concurrent appenders × \(Self.perAppender.formatted())", concurrentRates),
        ]
    }

    /// One repetition: appends per second, sequential and concurrent.
    static func measure() async throws -> (sequential: Double, concurrent: Double) {
        try await TemporaryDirectory.with(prefix: "netclode-bench-append") { directory in
            let store = try await SQLiteSessionStore.open(
                path: directory.url.appendingPathComponent("netclode.db").path, logger: Logger(label: "bench.append-rate"))
            do {
                let rates = try await measure(store)
                try await store.close()
                return rates
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    private static func measure(_ store: SQLiteSessionStore) async throws -> (sequential: Double, concurrent: Double) {
        let session = "rate"
        let now = Date()
        try await store.insertSession(SessionRecord(id: session, name: "append-rate", status: "ready", createdAt: now, updatedAt: now))

        var started = ContinuousClock.now
        var last: Int64 = 0
        for _ in 0..<sequential {
            let cursor = try await store.appendEvent(sessionID: session, payload: payload, at: Date())
            guard cursor > last else { throw BenchError("append-rate: cursor \(cursor) after \(last)") }
            last = cursor
        }
        let sequentialRate = Double(sequential) / (ContinuousClock.now - started).seconds

        started = ContinuousClock.now
        let appended = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<appenders {
                group.addTask {
                    for _ in 0..<perAppender {
                        _ = try await store.appendEvent(sessionID: session, payload: payload, at: Date())
                    }
                    return perAppender
                }
            }
            return try await group.reduce(0, +)
        }
        let concurrentRate = Double(appended) / (ContinuousClock.now - started).seconds

        let expected = sequential + appenders * perAppender
        let stored = try await store.events(sessionID: session, after: 0, limit: expected + 1)
        let cursors = stored.map(\.cursor)
        guard stored.count == expected, zip(cursors, cursors.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw BenchError("append-rate: stored \(stored.count) of \(expected) events, or cursors out of order")
        }
        return (sequentialRate, concurrentRate)
    }

    private static func row(_ label: String, _ rates: [Double]) -> ResultRow {
        let summary = Summary(rates)
        return ResultRow(
            scenario: "7 append rate", label: label, unit: "appends/s", measured: summary,
            target: "diagnostic", pass: nil,
            note: "SQLite store alone, fresh database per repetition; every append stored, cursors increasing",
            samples: rates,
            measuredText: "\(Int(summary.median))/s / \(Int(summary.p90))/s", baselineText: "—")
    }
}
