import ConnectRPC
import Foundation
import NetclodeProto
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

/// A watcher that keeps what it received until its stream breaks (the control plane crashed), so a
/// test can check that what a client already saw survives the crash and that resuming from its
/// last cursor neither skips nor repeats an event.
final class LiveWatcher: Sendable {
    private let received = Mutex<[Netclode_V1_WatchSessionResponse]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ fixture: ReliabilityFixture, session id: String) {
        let request = Netclode_V1_WatchSessionRequest.with { $0.sessionID = id }
        let stream = fixture.client.serverStream("\(ReliabilityFixture.service)/WatchSession", request, as: Netclode_V1_WatchSessionResponse.self)
        let transcript = fixture.transcript
        task.withLock {
            $0 = Task { [self] in
                do {
                    for try await item in stream {
                        transcript.record(item)
                        self.received.withLock { $0.append(item) }
                    }
                } catch {
                    // The crash ends the stream; what arrived before it is what counts.
                }
            }
        }
    }

    /// The agent events received so far (the ones a client has acknowledged by reading them).
    var events: [Netclode_V1_WatchSessionResponse] {
        received.withLock { $0.filter { $0.type == "agent.event" } }
    }

    /// Waits until the stream has ended (after the crash), at most `timeout`.
    func ended(timeout: Duration = .seconds(20)) async {
        let running = task.withLock { $0 }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if running == nil { return }
            let done = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await running?.value; return true }
                group.addTask { try? await Task.sleep(for: .milliseconds(200)); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if done { return }
        }
        running?.cancel()
    }
}

enum EventContinuity {
    static func key(_ item: Netclode_V1_WatchSessionResponse) -> String {
        "\(item.cursor)|\(item.event.kind)|\(item.event.stage)|\(item.event.repo)|\(item.event.message)"
    }

    /// After a restart: the events `seen` before the crash are all still there, unchanged and in
    /// order, and a watcher resuming after the last one gets exactly the rest: no gap, no repeat.
    static func expectContinues(_ fixture: ReliabilityFixture, session id: String, seen: [Netclode_V1_WatchSessionResponse],
                                sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let lastCursor = seen.last?.cursor ?? ""
        let resumed = try await fixture.history(id, after: lastCursor)
        let full = try await fixture.history(id)
        #expect(Array(full.prefix(seen.count)).map(key) == seen.map(key), "events seen before the crash are kept", sourceLocation: sourceLocation)
        let combined = seen + resumed
        #expect(Array(full.prefix(combined.count)).map(\.cursor) == combined.map(\.cursor),
                "resuming after cursor \(lastCursor) neither skips nor repeats", sourceLocation: sourceLocation)
        let cursors = full.compactMap { Int64($0.cursor) }
        #expect(cursors.count == full.count && zip(cursors, cursors.dropFirst()).allSatisfy { $0 < $1 }, "cursors strictly increase", sourceLocation: sourceLocation)
    }
}
