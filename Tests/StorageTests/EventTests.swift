import Foundation
import Testing
import TestSupport
@testable import Storage

@Suite("Events")
struct EventTests {
    @Test("cursors increase strictly across sessions", arguments: StoreKind.allCases)
    func cursorsAcrossSessions(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "a"))
            try await store.insertSession(sampleSession(id: "b"))
            var cursors: [Int64] = []
            for index in 0..<20 {
                let session = index.isMultiple(of: 3) ? "a" : "b"
                cursors.append(try await store.appendEvent(sessionID: session, payload: [UInt8(index)], at: msDate(Int64(index))))
            }
            #expect(cursors.first! > 0)
            #expect(zip(cursors, cursors.dropFirst()).allSatisfy { $0 < $1 })

            let a = try await store.events(sessionID: "a", after: 0, limit: 100)
            let b = try await store.events(sessionID: "b", after: 0, limit: 100)
            #expect(a.map(\.payload) == stride(from: 0, to: 20, by: 3).map { [UInt8($0)] })
            #expect(a.count + b.count == 20)
            #expect(Set(a.map(\.cursor) + b.map(\.cursor)) == Set(cursors))
            #expect(a.allSatisfy { $0.sessionID == "a" } && b.allSatisfy { $0.sessionID == "b" })
            #expect(b.map(\.createdAt) == (0..<20).filter { !$0.isMultiple(of: 3) }.map { msDate(Int64($0)) })
        }
    }

    @Test("paging with after:limit: returns exactly the next rows", arguments: StoreKind.allCases)
    func paging(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "p"))
            try await store.insertSession(sampleSession(id: "noise"))
            var expected: [StoredEvent] = []
            for index in 0..<25 {
                let date = msDate(1_700_000_000_000 + Int64(index))
                let cursor = try await store.appendEvent(sessionID: "p", payload: Array("event \(index)".utf8), at: date)
                expected.append(StoredEvent(cursor: cursor, sessionID: "p", payload: Array("event \(index)".utf8), createdAt: date))
                _ = try await store.appendEvent(sessionID: "noise", payload: [0xFF], at: date)
            }

            var pages: [[StoredEvent]] = []
            var cursor: Int64 = 0
            while true {
                let page = try await store.events(sessionID: "p", after: cursor, limit: 10)
                if page.isEmpty { break }
                pages.append(page)
                cursor = page.last!.cursor
            }
            #expect(pages.map(\.count) == [10, 10, 5])
            #expect(pages.flatMap { $0 } == expected)

            // From the middle: strictly after the given cursor.
            #expect(try await store.events(sessionID: "p", after: expected[6].cursor, limit: 3) == Array(expected[7..<10]))
            // A cursor between two of this session's events (one of the noise session's).
            #expect(try await store.events(sessionID: "p", after: expected[6].cursor + 1, limit: 1) == [expected[7]])
            #expect((try await store.events(sessionID: "p", after: expected.last!.cursor, limit: 10)).isEmpty)
            #expect((try await store.events(sessionID: "p", after: 0, limit: 0)).isEmpty)
            #expect((try await store.events(sessionID: "unknown", after: 0, limit: 10)).isEmpty)
        }
    }

    @Test("deleting a session removes its events and only its events; cursors are not reused", arguments: StoreKind.allCases)
    func deleteCascades(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "gone"))
            try await store.insertSession(sampleSession(id: "kept"))
            let kept = try await store.appendEvent(sessionID: "kept", payload: [1], at: msDate(1))
            var last: Int64 = 0
            for _ in 0..<5 { last = try await store.appendEvent(sessionID: "gone", payload: [2], at: msDate(2)) }

            try await store.deleteSession(id: "gone")
            #expect((try await store.events(sessionID: "gone", after: 0, limit: 100)).isEmpty)
            #expect(try await store.events(sessionID: "kept", after: 0, limit: 100).map(\.cursor) == [kept])

            // Same id again: a fresh, empty history, and cursors keep climbing past the deleted ones.
            try await store.insertSession(sampleSession(id: "gone"))
            #expect((try await store.events(sessionID: "gone", after: 0, limit: 100)).isEmpty)
            #expect(try await store.appendEvent(sessionID: "gone", payload: [3], at: msDate(3)) > last)
        }
    }

    @Test("appending to a missing session fails with notFound", arguments: StoreKind.allCases)
    func appendToMissingSession(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            await #expect(throws: StorageError.notFound("nobody")) {
                _ = try await store.appendEvent(sessionID: "nobody", payload: [1, 2, 3], at: Date())
            }
        }
    }

    @Test("payloads with every byte value, and empty payloads, round-trip", arguments: StoreKind.allCases)
    func arbitraryBytes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "bytes"))
            let everyByte = (0...255).map { UInt8($0) }
            let payloads: [[UInt8]] = [everyByte, everyByte.reversed(), [], [0], [0, 0, 0], Array(repeating: 0xAB, count: 1 << 20)]
            var cursors: [Int64] = []
            for payload in payloads {
                cursors.append(try await store.appendEvent(sessionID: "bytes", payload: payload, at: msDate(5)))
            }
            let stored = try await store.events(sessionID: "bytes", after: 0, limit: 100)
            #expect(stored.map(\.cursor) == cursors)
            #expect(stored.map(\.payload) == payloads)
        }
    }

    @Test("8 concurrent appenders × 500 events: 4,000 distinct cursors, none lost", arguments: StoreKind.allCases)
    func concurrentAppenders(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let sessions = ["even", "odd"]
            for id in sessions { try await store.insertSession(sampleSession(id: id)) }

            let start = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: (Int, [Int64]).self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var cursors: [Int64] = []
                        for index in 0..<500 {
                            let payload = Array("\(worker):\(index)".utf8)
                            cursors.append(try await store.appendEvent(sessionID: sessions[worker % 2], payload: payload, at: Date()))
                        }
                        return (worker, cursors)
                    }
                }
                return try await group.reduce(into: [Int: [Int64]]()) { $0[$1.0] = $1.1 }
            }
            let elapsed = ContinuousClock.now - start
            print("StorageTests: 8 concurrent appenders × 500 → \(rate(4_000, elapsed))")

            let all = results.values.flatMap { $0 }
            #expect(all.count == 4_000)
            #expect(Set(all).count == 4_000)
            for cursors in results.values {
                #expect(zip(cursors, cursors.dropFirst()).allSatisfy { $0 < $1 })
            }

            // Every returned cursor is stored, under the right session, with its payload.
            var stored: [StoredEvent] = []
            for id in sessions {
                var cursor: Int64 = 0
                while case let page = try await store.events(sessionID: id, after: cursor, limit: 700), !page.isEmpty {
                    stored += page
                    cursor = page.last!.cursor
                }
            }
            #expect(stored.count == 4_000)
            let byCursor = Dictionary(uniqueKeysWithValues: stored.map { ($0.cursor, $0) })
            for (worker, cursors) in results {
                for (index, cursor) in cursors.enumerated() {
                    let event = try #require(byCursor[cursor])
                    #expect(event.sessionID == sessions[worker % 2])
                    #expect(event.payload == Array("\(worker):\(index)".utf8))
                }
            }
        }
    }
}

/// "N appends in T s = R/s", for the printed measurements.
func rate(_ count: Int, _ elapsed: Duration) -> String {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return "\(count) appends in \(String(format: "%.3f", seconds)) s = \(Int(Double(count) / seconds))/s"
}
