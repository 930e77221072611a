import Foundation
import Testing
import TestSupport
@testable import Storage

@Suite("Ping")
struct PingTests {
    @Test("ping answers while the store is open and fails with closed after close")
    func pingFollowsTheStoreLifecycle() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-ping") { directory in
            let store = try await SQLiteSessionStore.open(path: databasePath(in: directory), logger: LogCapture().logger())
            try await store.ping()
            try await store.insertSession(sampleSession())
            try await store.ping()
            try await store.close()
            await #expect(throws: StorageError.closed) { try await store.ping() }
        }
    }
}
