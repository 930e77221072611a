@testable import ControlPlane
import ConnectRPC
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

extension InProcessManagerTests {
    /// A watcher that stops reading is closed once it falls `watcherInboxCapacity` items behind, with
    /// the cursor to resume from; resuming from it loses nothing.
    @Suite("Watcher inbox bound", .serialized)
    struct WatcherBoundTests {
        @Test func aStalledWatcherIsClosedWithTheCursorToResumeFrom() async throws {
            try await ManagerFixture.with(options: { $0.watcherInboxCapacity = 5 }) { fixture in
                let session = try await fixture.manager.createSession(.with { $0.name = "bounded" })
                let watch = try await fixture.manager.watch(session.id, afterCursor: "")
                defer { watch.close() }
                var iterator = watch.makeAsyncIterator()
                // History (none) and the snapshot: the watcher is subscribed and reading live items.
                let snapshot = try #require(try await iterator.next())
                #expect(snapshot.last?.message.type == "session.updated")

                for index in 1...20 {
                    try await fixture.manager.record(.now(kind: "message") { $0.message = "event \(index)" }, for: session.id)
                }
                var delivered: [Netclode_V1_WatchSessionResponse] = []
                do {
                    while let batch = try await iterator.next() { delivered += batch.map(\.message) }
                    Issue.record("the stalled watcher was not closed")
                } catch let error as ControlPlaneError {
                    guard case .resourceExhausted(let message) = error else { Issue.record("unexpected \(error)"); return }
                    let cursor = delivered.last { $0.type == "agent.event" }?.cursor ?? "0"
                    #expect(message.contains("afterCursor=\(cursor)"), "\(message)")
                    let resumed = try await fixture.manager.watch(session.id, afterCursor: cursor)
                    defer { resumed.close() }
                    var again = resumed.makeAsyncIterator()
                    var events: [String] = delivered.filter { $0.type == "agent.event" }.map(\.event.message)
                    while events.count < 20, let batch = try await again.next() {
                        events += batch.map(\.message).filter { $0.type == "agent.event" }.map(\.event.message)
                    }
                    #expect(events == (1...20).map { "event \($0)" }, "nothing lost, nothing repeated")
                }
            }
        }
    }
}
