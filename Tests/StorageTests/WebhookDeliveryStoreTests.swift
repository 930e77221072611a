import Foundation
import Storage
import Testing

@Suite("webhook deliveries: recorded once by id and by trigger, with their state", .serialized)
struct WebhookDeliveryStoreTests {
    func delivery(_ id: String, trigger: String?, conversation: String? = "acme/app#1", state: WebhookDeliveryRecord.State = .queued,
                  at date: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))) -> WebhookDeliveryRecord {
        // Whole seconds: the store keeps milliseconds, and records are compared whole.
        WebhookDeliveryRecord(id: id, event: "issue_comment", action: "created", triggerKey: trigger, conversation: conversation, state: state,
                              payload: Array(#"{"action":"created"}"#.utf8), receivedAt: date, updatedAt: date)
    }

    @Test("a delivery is claimed once; its redelivery and another delivery of the same comment find the first", arguments: StoreKind.allCases)
    func claims(_ kind: StoreKind) async throws {
        try await withStore(kind) { sessions, _ in
            let store = try #require(sessions as? any WebhookDeliveryStore)
            let first = delivery("d-1", trigger: "acme/app:issue_comment:7")
            #expect(try await store.claim(first) == .recorded)
            #expect(try await store.claim(first) == .sameDelivery(first))
            #expect(try await store.claim(delivery("d-2", trigger: "acme/app:issue_comment:7")) == .sameTrigger(first))
            // Deliveries that trigger nothing have no key and never collide.
            #expect(try await store.claim(delivery("d-3", trigger: nil, state: .ignored)) == .recorded)
            #expect(try await store.claim(delivery("d-4", trigger: nil, state: .ignored)) == .recorded)
            #expect(try await store.delivery(id: "d-2") == nil)
        }
    }

    @Test("ten concurrent claims of one comment make exactly one record", arguments: StoreKind.allCases)
    func racingClaims(_ kind: StoreKind) async throws {
        try await withStore(kind) { sessions, _ in
            let store = try #require(sessions as? any WebhookDeliveryStore)
            let claims = try await withThrowingTaskGroup(of: WebhookDeliveryClaim.self) { group in
                for index in 0..<10 {
                    group.addTask { try await store.claim(self.delivery("race-\(index)", trigger: "acme/app:issue_comment:9")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { $0 == .recorded }.count == 1)
        }
    }

    @Test("updates keep the state, the status comment and the session; unfinished ones are listed oldest first", arguments: StoreKind.allCases)
    func updates(_ kind: StoreKind) async throws {
        try await withStore(kind) { sessions, _ in
            let store = try #require(sessions as? any WebhookDeliveryStore)
            let old = Date(timeIntervalSince1970: 1_800_000_000)
            var a = delivery("a", trigger: "k:a", at: old)
            let b = delivery("b", trigger: "k:b", at: old.addingTimeInterval(1))
            _ = try await store.claim(a)
            _ = try await store.claim(b)
            _ = try await store.claim(delivery("c", trigger: nil, state: .ignored))
            a.state = .running
            a.statusCommentID = 5_000_000_001
            a.sessionID = "sess-1"
            a.outcome = "working"
            try await store.updateDelivery(a)
            #expect(try await store.delivery(id: "a") == a)
            #expect(try await store.deliveries(in: [.queued, .running]).map(\.id) == ["a", "b"])
            await #expect(throws: StorageError.self) { try await store.updateDelivery(self.delivery("missing", trigger: nil)) }
        }
    }

    @Test("the hourly count counts runs of one conversation in the window (waiting, running, or with a session), not refusals; finished sessions past retention are listed once", arguments: StoreKind.allCases)
    func countsAndRetention(_ kind: StoreKind) async throws {
        try await withStore(kind) { sessions, _ in
            let store = try #require(sessions as? any WebhookDeliveryStore)
            let now = Date()
            _ = try await store.claim(delivery("1", trigger: "k:1", at: now.addingTimeInterval(-7200)))
            _ = try await store.claim(delivery("2", trigger: "k:2", at: now.addingTimeInterval(-60)))
            var ran = delivery("3", trigger: "k:3", state: .done, at: now.addingTimeInterval(-30))
            ran.sessionID = "sess-3"
            _ = try await store.claim(ran)
            _ = try await store.claim(delivery("refused", trigger: "k:r", state: .done, at: now.addingTimeInterval(-20)))
            _ = try await store.claim(delivery("4", trigger: nil, state: .ignored, at: now))
            _ = try await store.claim(delivery("5", trigger: "k:5", conversation: "acme/app#2", at: now))
            _ = try await store.claim(delivery("later", trigger: "k:l", at: now.addingTimeInterval(60)))
            #expect(try await store.runCount(conversation: "acme/app#1", from: now.addingTimeInterval(-3600), through: now) == 2)

            var done = delivery("6", trigger: "k:6", state: .done, at: now.addingTimeInterval(-100))
            done.sessionID = "sess-6"
            _ = try await store.claim(done)
            #expect(try await store.sessionsToClean(finishedBefore: now).map(\.id) == ["6", "3"], "oldest first")
            #expect(try await store.sessionsToClean(finishedBefore: now.addingTimeInterval(-3600)).isEmpty)
            done.sessionCleaned = true
            try await store.updateDelivery(done)
            #expect(try await store.sessionsToClean(finishedBefore: now).map(\.id) == ["3"])
        }
    }
}
