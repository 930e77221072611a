import Foundation
import Testing
import TestSupport
@testable import Storage

/// The PostgreSQL store's session leases (``SessionLeases``) as two or more replicas see them
/// through their own stores on one database.
@Suite("Session leases on PostgreSQL", .enabled(if: PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)"))
struct SessionLeaseTests {
    static func replica(_ name: String, seconds: Int64 = 600) -> ReplicaLease {
        ReplicaLease(id: name, url: "http://\(name).example:8080", duration: .seconds(seconds))
    }

    /// `count` replica stores on one fresh database.
    static func withReplicas(_ count: Int, _ body: ([PostgresSessionStore]) async throws -> Void) async throws {
        try await PostgresServer.with { server in
            var stores: [PostgresSessionStore] = []
            do {
                for _ in 0..<count {
                    stores.append(try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120), sharing: .replica))
                }
                try await body(stores)
            } catch {
                for store in stores { try? await store.close() }
                throw error
            }
            for store in stores { try await store.close() }
        }
    }

    @Test("a new session is its creator's: nobody else claims it or writes it; released, another takes it")
    func holding() async throws {
        try await Self.withReplicas(2) { stores in
            let (a, b) = (Self.replica("a"), Self.replica("b"))
            var session = sampleSession(id: "held")
            try await stores[0].insertSession(session, leasedTo: a)
            #expect(try await stores[1].leaseHolder(of: "held") == LeaseHolder(replicaID: "a", url: a.url))
            #expect(try await stores[1].claimSession(id: "held", for: b) == false)
            #expect(try await stores[1].claimLapsedSessions(for: b, limit: 10).isEmpty)
            #expect(try await stores[0].claimSession(id: "held", for: a), "claiming what you hold renews it")

            session.status = "ready"
            session.updatedAt = msDate(1_700_000_001_000)
            await #expect(throws: StorageError.notLeaseHolder("held")) { try await stores[1].updateSession(session, leasedTo: b) }
            try await stores[0].updateSession(session, leasedTo: a)
            #expect(try await stores[1].session(id: "held")?.status == "ready")
            await #expect(throws: StorageError.notFound("missing")) { try await stores[0].updateSession(sampleSession(id: "missing"), leasedTo: a) }

            #expect(try await stores[0].renewLeases(of: a) == ["held"])
            #expect(try await stores[1].renewLeases(of: b).isEmpty)
            try await stores[0].releaseLeases(of: a, nil)
            #expect(try await stores[1].leaseHolder(of: "held") == nil)
            #expect(try await stores[1].claimLapsedSessions(for: b, limit: 10) == ["held"])
            #expect(try await stores[0].renewLeases(of: a).isEmpty, "a no longer holds it")
            await #expect(throws: StorageError.notLeaseHolder("held")) { try await stores[0].updateSession(session, leasedTo: a) }
        }
    }

    @Test("a lease that is not renewed lapses and is taken over; deleted sessions never are")
    func lapse() async throws {
        try await Self.withReplicas(2) { stores in
            let shortLived = Self.replica("a", seconds: 1)
            try await stores[0].insertSession(sampleSession(id: "lapsing"), leasedTo: shortLived)
            var deleted = sampleSession(id: "gone")
            deleted.status = "deleted"
            try await stores[0].insertSession(deleted)
            let b = Self.replica("b")
            // Waits for the condition, not for a time: a loaded machine may take longer.
            var claimed: [String] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while claimed.isEmpty, ContinuousClock.now < deadline {
                claimed = try await stores[1].claimLapsedSessions(for: b, limit: 10)
                if claimed.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(claimed == ["lapsing"], "the lapsed session, never the deleted one")
            #expect(try await stores[0].leaseHolder(of: "lapsing")?.replicaID == "b")
            #expect(try await stores[1].claimSession(id: "gone", for: b) == false)
        }
    }

    @Test("four replicas claiming 40 free sessions at once: each is claimed exactly once")
    func racingClaims() async throws {
        try await Self.withReplicas(4) { stores in
            for index in 0..<40 { try await stores[0].insertSession(sampleSession(id: "free-\(index)")) }
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for (index, store) in stores.enumerated() {
                    group.addTask {
                        var mine: [String] = []
                        for _ in 0..<5 { mine += try await store.claimLapsedSessions(for: Self.replica("r\(index)"), limit: 3) }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let all = claims.flatMap { $0 }
            #expect(all.count == 40 && Set(all).count == 40, "\(claims.map(\.count))")
        }
    }

    @Test("every event and record change is announced to every replica; lease renewals are not")
    func announcements() async throws {
        try await Self.withReplicas(2) { stores in
            let a = Self.replica("a")
            var session = sampleSession(id: "loud")
            try await stores[0].insertSession(session, leasedTo: a)
            try await stores[0].insertSession(sampleSession(id: "other"), leasedTo: a)
            var changes = stores[1].sessionChanges().makeAsyncIterator()
            // The listener may not be listening yet: append until the first announcement arrives.
            let first = Task {
                while !Task.isCancelled {
                    _ = try await stores[0].appendEvent(sessionID: "loud", payload: [1], at: Date())
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(await changes.next() == "loud")
            first.cancel()
            _ = await first.result
            #expect(try await stores[1].lastEventCursor(sessionID: "loud") > 0)
            #expect(try await stores[1].lastEventCursor(sessionID: "other") == 0)
            // Drain what the loop above announced, up to a marker on the other session.
            _ = try await stores[0].appendEvent(sessionID: "other", payload: [0], at: Date())
            while let next = await changes.next(), next != "other" {}

            #expect(try await stores[0].renewLeases(of: a) == ["loud", "other"])
            _ = try await stores[0].appendEvents(sessionID: "other", payloads: [[1], [2], [3]], at: Date(), capped: false)
            #expect(await changes.next() == "other", "the renewal of both leases announced nothing")
            session.updatedAt = msDate(1_700_000_009_000)
            try await stores[0].updateSession(session, leasedTo: a)
            #expect(await changes.next() == "loud", "a record change is announced, and the three events in one statement were one announcement")
            _ = try await stores[0].appendEvent(sessionID: "loud", payload: [4], at: Date())
            #expect(await changes.next() == "loud")
        }
    }

    @Test("a lone control plane and replicas refuse each other on one database")
    func loneAndReplicas() async throws {
        try await PostgresServer.with { server in
            let replica = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120), sharing: .replica)
            let second = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120), sharing: .replica)
            let lone = await #expect(throws: StorageError.self) {
                _ = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
            }
            #expect("\(String(describing: lone))".contains("run several only as replicas"), "\(String(describing: lone))")
            try await replica.close()
            try await second.close()
            let exclusive = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120))
            let refused = await #expect(throws: StorageError.self) {
                _ = try await PostgresSessionStore.open(url: server.url, logger: LogCapture().logger(), connectDeadline: .seconds(120), sharing: .replica)
            }
            #expect("\(String(describing: refused))".contains("a lone control plane is using"), "\(String(describing: refused))")
            try await exclusive.close()
        }
    }
}
