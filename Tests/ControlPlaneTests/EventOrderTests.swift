import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

/// Events reach live watchers in cursor order, all of them, even when reports of one session
/// arrive concurrently (found by netclode-bench: with 64 reports in flight, watchers silently
/// lost about 14 % of the events, because appends published out of order and a watcher skips
/// anything at or below the last cursor it sent).
@Suite("Event order under concurrent reports", .serialized)
struct EventOrderTests {
    @Test("400 concurrent reports: every watcher gets every event live, cursors strictly increasing")
    func concurrentReportsArePublishedInOrder() async throws {
        let fixture = try await SessionsFixture.start()
        do {
            let session = try await fixture.create(repos: [])
            try await fixture.waitFor(session.id, status: "ready")
            let secret = try #require(SandboxProcesses.agentSecret(of: session.id), "the agent's secret (from its memory; needs root)")
            let agent = ConnectClient(baseURL: fixture.controlPlane.baseURL.absoluteString, codec: .proto, headers: [("Authorization", "Bearer \(secret)")])
            let count = 400

            // Two live watchers, subscribed before the first report. WatchSession subscribes
            // before it replays the history and ends the replay with a `session.updated`
            // snapshot: once a watcher has its snapshot, every later event reaches it live.
            let subscribed = Subscriptions()
            let watchers = (0..<2).map { _ in
                Task {
                    try await fixture.watch(session.id, timeout: .seconds(180)) { items in
                        if items.last?.type == "session.updated", items.filter({ $0.type == "session.updated" }).count == 1 {
                            subscribed.add()
                        }
                        return items.filter { $0.event.kind == "order-test" }.count >= count
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while subscribed.count < watchers.count {
                guard ContinuousClock.now < deadline else {
                    Issue.record("only \(subscribed.count) of \(watchers.count) watchers got their snapshot within 60 s")
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<32 {
                    group.addTask {
                        for index in stride(from: lane, to: count, by: 32) {
                            let report = Netclode_V1_AgentReport.with {
                                $0.sessionID = session.id
                                $0.event = .with { $0.kind = "order-test"; $0.message = "\(index)" }
                            }
                            _ = try await agent.unary("netclode.v1.AgentService/Report", report, as: Netclode_V1_AgentReportResponse.self, timeout: .seconds(60))
                        }
                    }
                }
                try await group.waitForAll()
            }

            for watcher in watchers {
                let items = try await watcher.value.filter { $0.event.kind == "order-test" }
                #expect(items.count == count, "a live watcher got \(items.count) of \(count) events")
                let cursors = items.compactMap { Int64($0.cursor) }
                #expect(cursors == cursors.sorted() && Set(cursors).count == cursors.count, "cursors out of order or repeated")
                #expect(Set(items.map(\.event.message)) == Set((0..<count).map(String.init)))
            }
        } catch {
            await fixture.finish()
            throw error
        }
        await fixture.finish()
    }
}

/// How many watchers have received their snapshot (and so are subscribed).
final class Subscriptions: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
