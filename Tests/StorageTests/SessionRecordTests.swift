import Foundation
import Testing
import TestSupport
@testable import Storage

@Suite("Sessions")
struct SessionRecordTests {
    @Test("insert then get returns every field", arguments: StoreKind.allCases)
    func insertAndGet(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let full = sampleSession(id: "full")
            let bare = SessionRecord(
                id: "bare", name: "", status: "ready", repos: [], repoAccess: nil, blobless: false,
                repoStatus: [], createdAt: msDate(1), updatedAt: msDate(2), error: "clone failed: 403 — ✗"
            )
            try await store.insertSession(full)
            try await store.insertSession(bare)

            #expect(try await store.session(id: "full") == full)
            #expect(try await store.session(id: "bare") == bare)
            #expect(try await store.session(id: "missing") == nil)
        }
    }

    @Test("update replaces every field", arguments: StoreKind.allCases)
    func update(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            var session = sampleSession(id: "s1")
            try await store.insertSession(session)

            session.name = "renamed ✏️"
            session.status = "error"
            session.repos = []
            session.repoAccess = nil
            session.blobless = false
            session.repoStatus = [RepoStatusRecord(repo: "r", stage: "error", message: "boom")]
            session.createdAt = msDate(1_600_000_000_000)
            session.updatedAt = msDate(1_800_000_000_999)
            session.error = "token revoked"
            try await store.updateSession(session)
            #expect(try await store.session(id: "s1") == session)

            session.error = nil
            session.repoAccess = "read"
            try await store.updateSession(session)
            #expect(try await store.session(id: "s1") == session)
        }
    }

    @Test("inserting an existing id fails with duplicate and leaves the row alone", arguments: StoreKind.allCases)
    func duplicateInsert(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let original = sampleSession(id: "dup")
            try await store.insertSession(original)
            var other = original
            other.name = "other"
            await #expect(throws: StorageError.duplicate("dup")) {
                try await store.insertSession(other)
            }
            #expect(try await store.session(id: "dup") == original)
        }
    }

    @Test("updating a missing id fails with notFound", arguments: StoreKind.allCases)
    func updateMissing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            await #expect(throws: StorageError.notFound("ghost")) {
                try await store.updateSession(sampleSession(id: "ghost"))
            }
            let remaining = try await store.sessions()
            #expect(remaining.isEmpty)
        }
    }

    @Test("list is ordered by createdAt, then id", arguments: StoreKind.allCases)
    func listOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let records = [
                sampleSession(id: "c", createdAt: msDate(2_000)),
                sampleSession(id: "b", createdAt: msDate(1_000)),
                sampleSession(id: "a", createdAt: msDate(2_000)),
                sampleSession(id: "d", createdAt: msDate(500)),
            ]
            for record in records { try await store.insertSession(record) }
            let listed = try await store.sessions()
            #expect(listed.map(\.id) == ["d", "b", "a", "c"])
            #expect(listed == records.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) })
        }
    }

    @Test("delete removes the session; deleting a missing one is not an error", arguments: StoreKind.allCases)
    func delete(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            try await store.insertSession(sampleSession(id: "keep"))
            try await store.insertSession(sampleSession(id: "drop"))
            try await store.deleteSession(id: "drop")
            try await store.deleteSession(id: "drop")
            try await store.deleteSession(id: "never-existed")
            #expect(try await store.session(id: "drop") == nil)
            #expect(try await store.sessions().map(\.id) == ["keep"])
        }
    }

    @Test("dates are kept to the millisecond", arguments: StoreKind.allCases)
    func millisecondDates(_ kind: StoreKind) async throws {
        try await withStore(kind) { store, _ in
            let now = Date()
            var session = sampleSession(id: "t")
            session.createdAt = now
            session.updatedAt = Date(timeIntervalSince1970: 1_700_000_000.123_6)  // rounds up
            try await store.insertSession(session)

            let stored = try #require(try await store.session(id: "t"))
            #expect(Millis.encode(stored.createdAt) == Int64((now.timeIntervalSince1970 * 1000).rounded()))
            #expect(abs(stored.createdAt.timeIntervalSince(now)) <= 0.0005)
            #expect(stored.updatedAt == msDate(1_700_000_000_124))

            // Storing what was read back is exact.
            try await store.updateSession(stored)
            #expect(try await store.session(id: "t") == stored)
        }
    }

    @Test("SessionRecord is Codable without loss")
    func codable() throws {
        let session = sampleSession(id: "json")
        let data = try JSONEncoder().encode(session)
        #expect(try JSONDecoder().decode(SessionRecord.self, from: data) == session)
    }
}
