import Foundation
import NIOCore
import SQLiteNIO

extension SQLiteSessionStore: WebhookDeliveryStore {
    public func claim(_ delivery: WebhookDeliveryRecord) async throws -> WebhookDeliveryClaim {
        let binds = Self.binds(for: delivery)
        return try await run { connection in
            // ON CONFLICT DO NOTHING covers both the id and the trigger key: one statement decides.
            let inserted = try await connection.query(
                "INSERT INTO webhook_deliveries (\(WebhookDeliveryTable.columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING RETURNING id",
                binds)
            if !inserted.isEmpty { return .recorded }
            let rows = try await connection.query(
                "SELECT \(WebhookDeliveryTable.columns) FROM webhook_deliveries WHERE id = ?1", [.text(delivery.id)])
            if let row = rows.first { return .sameDelivery(try Self.delivery(from: row)) }
            guard let key = delivery.triggerKey else { throw StorageError.database("webhook delivery \(delivery.id) was neither recorded nor found") }
            let same = try await connection.query(
                "SELECT \(WebhookDeliveryTable.columns) FROM webhook_deliveries WHERE trigger_key = ?1", [.text(key)])
            guard let row = same.first else { throw StorageError.database("webhook delivery \(delivery.id) was neither recorded nor found") }
            return .sameTrigger(try Self.delivery(from: row))
        }
    }

    public func updateDelivery(_ delivery: WebhookDeliveryRecord) async throws {
        let binds = Self.binds(for: delivery)
        let rows = try await run { connection in
            try await connection.query("""
                UPDATE webhook_deliveries SET event = ?2, action = ?3, trigger_key = ?4, conversation = ?5, state = ?6,
                    payload = ?7, outcome = ?8, status_comment_id = ?9, session_id = ?10, session_cleaned = ?11,
                    received_at = ?12, updated_at = ?13
                WHERE id = ?1 RETURNING id
                """, binds)
        }
        if rows.isEmpty { throw StorageError.notFound("webhook delivery \(delivery.id)") }
    }

    public func delivery(id: String) async throws -> WebhookDeliveryRecord? {
        try await selectDeliveries("WHERE id = ?1", [.text(id)]).first
    }

    public func deliveries(in states: [WebhookDeliveryRecord.State]) async throws -> [WebhookDeliveryRecord] {
        guard !states.isEmpty else { return [] }
        let placeholders = states.indices.map { "?\($0 + 1)" }.joined(separator: ", ")
        return try await selectDeliveries("WHERE state IN (\(placeholders)) ORDER BY received_at, id", states.map { .text($0.rawValue) })
    }

    public func runCount(conversation: String, from start: Date, through end: Date) async throws -> Int {
        let rows = try await run { connection in
            try await connection.query("""
                SELECT COUNT(*) AS n FROM webhook_deliveries
                WHERE conversation = ?1 AND received_at BETWEEN ?2 AND ?3 AND (state IN ('queued', 'running') OR session_id IS NOT NULL)
                """, [.text(conversation), .integer(Int(Millis.encode(start))), .integer(Int(Millis.encode(end)))])
        }
        return Int(try rows.first?.int64("n") ?? 0)
    }

    public func sessionsToClean(finishedBefore date: Date) async throws -> [WebhookDeliveryRecord] {
        try await selectDeliveries(
            "WHERE state = 'done' AND session_id IS NOT NULL AND session_cleaned = 0 AND updated_at < ?1 ORDER BY updated_at",
            [.integer(Int(Millis.encode(date)))])
    }

    private func selectDeliveries(_ clause: String, _ binds: [SQLiteData]) async throws -> [WebhookDeliveryRecord] {
        let rows = try await run { connection in
            try await connection.query("SELECT \(WebhookDeliveryTable.columns) FROM webhook_deliveries \(clause)", binds)
        }
        return try rows.map(Self.delivery(from:))
    }

    /// ?1…?13 in ``WebhookDeliveryTable/columns`` order.
    private static func binds(for delivery: WebhookDeliveryRecord) -> [SQLiteData] {
        func text(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
        return [
            .text(delivery.id), .text(delivery.event), text(delivery.action), text(delivery.triggerKey), text(delivery.conversation),
            .text(delivery.state.rawValue), .blob(ByteBuffer(bytes: delivery.payload)), text(delivery.outcome),
            delivery.statusCommentID.map { .integer(Int($0)) } ?? .null, text(delivery.sessionID),
            .integer(delivery.sessionCleaned ? 1 : 0),
            .integer(Int(Millis.encode(delivery.receivedAt))), .integer(Int(Millis.encode(delivery.updatedAt))),
        ]
    }

    private static func delivery(from row: SQLiteRow) throws(StorageError) -> WebhookDeliveryRecord {
        let stateText = try row.text("state")
        guard let state = WebhookDeliveryRecord.State(rawValue: stateText) else { throw .corrupt("webhook delivery state \(stateText)") }
        let statusComment: Int64? = if case .integer(let value)? = row.column("status_comment_id") { Int64(value) } else { nil }
        return WebhookDeliveryRecord(
            id: try row.text("id"), event: try row.text("event"), action: try row.optionalText("action"),
            triggerKey: try row.optionalText("trigger_key"), conversation: try row.optionalText("conversation"), state: state,
            payload: try row.bytes("payload"), outcome: try row.optionalText("outcome"), statusCommentID: statusComment,
            sessionID: try row.optionalText("session_id"), sessionCleaned: try row.bool("session_cleaned"),
            receivedAt: try row.date("received_at"), updatedAt: try row.date("updated_at"))
    }
}
