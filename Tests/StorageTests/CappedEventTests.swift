import Foundation
import Testing
import TestSupport
@testable import Storage

/// The output cap's storage side: capped events are counted and dropped oldest first; other
/// events and other sessions are never touched.
@Suite("Capped events")
struct CappedEventTests {
    @Test("dropping frees the oldest capped events until enough bytes went, and nothing else", arguments: StoreKind.allCases)
    func dropOldestFirst(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "s"))
            try await store.insertSession(sampleSession(id: "other"))
            var capped: [Int64] = []
            var kept: [Int64] = []
            for index in 0..<10 {
                kept.append(try await store.appendEvent(sessionID: "s", payload: [1], at: msDate(Int64(index)), capped: false))
                capped.append(try await store.appendEvent(sessionID: "s", payload: Array(repeating: 7, count: 100), at: msDate(Int64(index)), capped: true))
                _ = try await store.appendEvent(sessionID: "other", payload: Array(repeating: 9, count: 100), at: msDate(Int64(index)), capped: true)
            }
            #expect(try await store.cappedBytes(sessionID: "s") == 1000)

            // 250 bytes: three events (300 bytes), the oldest three.
            let dropped = try await store.dropOldestCappedEvents(sessionID: "s", atLeast: 250)
            #expect(dropped.events == 3 && dropped.bytes == 300)
            let left = try await store.events(sessionID: "s", after: 0, limit: 100).map(\.cursor)
            #expect(left == (kept + capped.dropFirst(3)).sorted())
            #expect(try await store.cappedBytes(sessionID: "s") == 700)
            #expect(try await store.cappedBytes(sessionID: "other") == 1000)

            // More than there is: every capped event goes, the rest stays.
            let all = try await store.dropOldestCappedEvents(sessionID: "s", atLeast: 10_000)
            #expect(all.events == 7 && all.bytes == 700)
            #expect(try await store.events(sessionID: "s", after: 0, limit: 100).map(\.cursor) == kept)
            #expect(try await store.dropOldestCappedEvents(sessionID: "s", atLeast: 1) == (0, 0))
        }
    }
}

@Suite("Batched appends")
struct BatchedAppendTests {
    @Test("a batch is stored in order with ascending cursors, counted as capped, and refused whole for an unknown session", arguments: StoreKind.allCases)
    func batchInOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "s"))
            let first = try await store.appendEvent(sessionID: "s", payload: [0], at: msDate(1))
            let payloads = (1...50).map { [UInt8($0), 7, 7] }
            let cursors = try await store.appendEvents(sessionID: "s", payloads: payloads, at: msDate(2), capped: true)
            #expect(cursors.count == 50 && cursors.first! > first && zip(cursors, cursors.dropFirst()).allSatisfy { $0 < $1 })
            let stored = try await store.events(sessionID: "s", after: first, limit: 100)
            #expect(stored.map(\.cursor) == cursors)
            #expect(stored.map(\.payload) == payloads)
            #expect(try await store.cappedBytes(sessionID: "s") == 150)

            await #expect(throws: StorageError.notFound("nobody")) {
                _ = try await store.appendEvents(sessionID: "nobody", payloads: payloads, at: msDate(3), capped: true)
            }
            #expect(try await store.events(sessionID: "nobody", after: 0, limit: 10).isEmpty)
            #expect(try await store.appendEvents(sessionID: "s", payloads: [], at: msDate(4), capped: true).isEmpty)
        }
    }
}
