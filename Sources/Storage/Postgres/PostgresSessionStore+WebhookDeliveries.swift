import Foundation
import Logging
import NIOCore
import PostgresNIO

extension PostgresSessionStore: WebhookDeliveryStore {
    public func claim(_ delivery: WebhookDeliveryRecord) async throws -> WebhookDeliveryClaim {
        // ON CONFLICT DO NOTHING covers both the id and the trigger key: of two replicas or two
        // hooks racing on one request, exactly one insert returns a row.
        let insert = PostgresQuery(
            unsafeSQL: "INSERT INTO webhook_deliveries (\(WebhookDeliveryTable.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING id",
            binds: Self.binds(for: delivery))
        let inserted = try await run { try await $0.query(insert, logger: logger).collect() }
        if !inserted.isEmpty { return .recorded }
        if let same = try await self.delivery(id: delivery.id) { return .sameDelivery(same) }
        if let key = delivery.triggerKey,
           let same = try await selectDeliveries("WHERE trigger_key = $1", bind: key).first {
            return .sameTrigger(same)
        }
        throw StorageError.database("webhook delivery \(delivery.id) was neither recorded nor found")
    }

    public func updateDelivery(_ delivery: WebhookDeliveryRecord) async throws {
        let update = PostgresQuery(unsafeSQL: """
            UPDATE webhook_deliveries SET event = $2, action = $3, trigger_key = $4, conversation = $5, state = $6,
                payload = $7, outcome = $8, status_comment_id = $9, session_id = $10, session_cleaned = $11,
                received_at = $12, updated_at = $13
            WHERE id = $1 RETURNING id
            """, binds: Self.binds(for: delivery))
        let rows = try await run { try await $0.query(update, logger: logger).collect() }
        if rows.isEmpty { throw StorageError.notFound("webhook delivery \(delivery.id)") }
    }

    public func delivery(id: String) async throws -> WebhookDeliveryRecord? {
        try await selectDeliveries("WHERE id = $1", bind: id).first
    }

    public func deliveries(in states: [WebhookDeliveryRecord.State]) async throws -> [WebhookDeliveryRecord] {
        guard !states.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(states.map(\.rawValue))
        return try await selectDeliveries("WHERE state = ANY($1) ORDER BY received_at, id", binds: binds)
    }

    public func runCount(conversation: String, from start: Date, through end: Date) async throws -> Int {
        let rows = try await run {
            try await $0.query("""
                SELECT COUNT(*)::BIGINT FROM webhook_deliveries
                WHERE conversation = \(conversation) AND received_at BETWEEN \(Millis.encode(start)) AND \(Millis.encode(end))
                    AND (state IN ('queued', 'running') OR session_id IS NOT NULL)
                """, logger: logger).collect()
        }
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func sessionsToClean(finishedBefore date: Date) async throws -> [WebhookDeliveryRecord] {
        var binds = PostgresBindings()
        binds.append(Millis.encode(date))
        return try await selectDeliveries(
            "WHERE state = 'done' AND session_id IS NOT NULL AND NOT session_cleaned AND updated_at < $1 ORDER BY updated_at", binds: binds)
    }

    private func selectDeliveries(_ clause: String, bind value: String) async throws -> [WebhookDeliveryRecord] {
        var binds = PostgresBindings()
        binds.append(value)
        return try await selectDeliveries(clause, binds: binds)
    }

    private func selectDeliveries(_ clause: String, binds: PostgresBindings) async throws -> [WebhookDeliveryRecord] {
        let query = PostgresQuery(unsafeSQL: "SELECT \(WebhookDeliveryTable.columns) FROM webhook_deliveries \(clause)", binds: binds)
        let rows = try await run { try await $0.query(query, logger: logger).collect() }
        return try rows.map(Self.delivery(from:))
    }

    /// $1…$13 in ``WebhookDeliveryTable/columns`` order.
    private static func binds(for delivery: WebhookDeliveryRecord) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(delivery.id)
        binds.append(delivery.event)
        binds.append(delivery.action)
        binds.append(delivery.triggerKey)
        binds.append(delivery.conversation)
        binds.append(delivery.state.rawValue)
        binds.append(ByteBuffer(bytes: delivery.payload))
        binds.append(delivery.outcome)
        binds.append(delivery.statusCommentID)
        binds.append(delivery.sessionID)
        binds.append(delivery.sessionCleaned)
        binds.append(Millis.encode(delivery.receivedAt))
        binds.append(Millis.encode(delivery.updatedAt))
        return binds
    }

    private static func delivery(from row: PostgresRow) throws -> WebhookDeliveryRecord {
        let columns = row.makeRandomAccess()
        let stateText = try columns["state"].decode(String.self)
        guard let state = WebhookDeliveryRecord.State(rawValue: stateText) else { throw StorageError.corrupt("webhook delivery state \(stateText)") }
        return WebhookDeliveryRecord(
            id: try columns["id"].decode(String.self), event: try columns["event"].decode(String.self),
            action: try columns["action"].decode(String?.self), triggerKey: try columns["trigger_key"].decode(String?.self),
            conversation: try columns["conversation"].decode(String?.self), state: state,
            payload: Array(try columns["payload"].decode(ByteBuffer.self).readableBytesView),
            outcome: try columns["outcome"].decode(String?.self), statusCommentID: try columns["status_comment_id"].decode(Int64?.self),
            sessionID: try columns["session_id"].decode(String?.self), sessionCleaned: try columns["session_cleaned"].decode(Bool.self),
            receivedAt: Millis.decode(try columns["received_at"].decode(Int64.self)),
            updatedAt: Millis.decode(try columns["updated_at"].decode(Int64.self)))
    }
}
