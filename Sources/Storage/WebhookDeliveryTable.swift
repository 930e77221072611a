/// The `webhook_deliveries` table, the same in SQLite and PostgreSQL.
enum WebhookDeliveryTable {
    static let create = """
        CREATE TABLE webhook_deliveries (
            id                TEXT PRIMARY KEY NOT NULL,   -- X-GitHub-Delivery
            event             TEXT NOT NULL,
            action            TEXT,
            trigger_key       TEXT UNIQUE,                 -- owner/repo:issue_comment:<id>; NULL: no trigger
            conversation      TEXT,                        -- owner/repo#number, lower case
            state             TEXT NOT NULL,               -- queued, running, done, ignored
            payload           BYTEA NOT NULL,
            outcome           TEXT,
            status_comment_id BIGINT,
            session_id        TEXT,
            session_cleaned   BOOLEAN NOT NULL DEFAULT FALSE,
            received_at       BIGINT NOT NULL,             -- Unix milliseconds
            updated_at        BIGINT NOT NULL
        )
        """

    static let indexes = [
        "CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state, received_at)",
        "CREATE INDEX webhook_deliveries_conversation ON webhook_deliveries (conversation, received_at)",
    ]

    static let columns = "id, event, action, trigger_key, conversation, state, payload, outcome, status_comment_id, session_id, session_cleaned, received_at, updated_at"
}
