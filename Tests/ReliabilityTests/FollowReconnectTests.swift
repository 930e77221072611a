import ConnectRPC
import Foundation
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

/// `SessionClient.follow` (what `netclode session events --follow` reads) rides out a control
/// plane crash: the stream drops, the client reconnects to the restarted server at the same URL
/// from its last cursor, and the events after the restart arrive with nothing repeated or lost.
@Suite("Reliability: a followed watch resumes after a crash", .serialized)
struct FollowReconnectTests {
    @Test func followReconnectsFromItsCursorAcrossARestart() async throws {
        var fixture = try await ReliabilityFixture.start()
        let session = try await fixture.create(repos: ["demo/hello"])
        try await fixture.waitFor(session.id, status: ["ready"])

        let received = Received()
        let api = fixture.api
        let reader = Task {
            let stream = api.follow(session.id, retryDelay: .milliseconds(200)) { error in received.reconnects.withLock { $0.append(error) } }
            for try await item in stream { received.items.withLock { $0.append(item) } }
        }
        defer { reader.cancel() }
        func clonesDone() -> Int {
            received.items.withLock { $0.filter { $0.event.kind == "repo_clone" && $0.event.stage == "done" }.count }
        }
        try await eventually("the first clone's done arrives") { clonesDone() == 1 }

        try await fixture.restartAfterCrash(keepingPort: true)
        // The restored agent finds its clone again: a second `done`, after the restart.
        try await eventually("the stream reconnected and the restored agent's clone arrived", timeout: .seconds(120)) { clonesDone() == 2 }

        #expect(!received.reconnects.withLock { $0 }.isEmpty, "the crash was noticed and the watch reopened")
        let cursors = received.items.withLock { $0.filter { $0.type == "agent.event" }.compactMap { Int64($0.cursor) } }
        #expect(cursors == cursors.sorted() && Set(cursors).count == cursors.count, "no event repeated, none out of order: \(cursors)")
        let stored = try await fixture.history(session.id).compactMap { Int64($0.cursor) }
        #expect(Set(stored.filter { $0 <= cursors.last ?? 0 }) == Set(cursors), "nothing lost across the restart")
        reader.cancel()
        await fixture.finish()
    }

    /// What the follower received, shared with its task.
    final class Received: Sendable {
        let items = Mutex<[Netclode_V1_WatchSessionResponse]>([])
        let reconnects = Mutex<[ConnectError]>([])
    }

    private func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
