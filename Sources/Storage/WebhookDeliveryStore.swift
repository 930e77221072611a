import Foundation

/// One webhook delivery the GitHub bot accepted, with where its work stands.
///
/// The delivery is recorded — raw body included — before the endpoint answers 202, so a crash at
/// any later point loses nothing: the work resumes after a restart, or when GitHub redelivers the
/// same `X-GitHub-Delivery`. The body never holds a secret (GitHub's payloads carry none).
public struct WebhookDeliveryRecord: Sendable, Equatable {
    /// Where the work of a delivery stands.
    public enum State: String, Sendable, CaseIterable {
        /// Accepted; waiting for its turn.
        case queued
        /// Its run is under way.
        case running
        /// Finished, whatever the outcome of the run (``WebhookDeliveryRecord/outcome`` says).
        case done
        /// Nothing to do: not a trigger (an edit, a bot, no mention), or handled in place (ping,
        /// installation changes).
        case ignored

        /// The states whose work a restart picks up again.
        public var isUnfinished: Bool { self == .queued || self == .running }
    }

    /// `X-GitHub-Delivery`, unchanged when GitHub redelivers.
    public var id: String
    /// `X-GitHub-Event`.
    public var event: String
    public var action: String?
    /// The same request arriving through several hooks (or twice) has one trigger key: the
    /// repository and the comment's id (issue and review comments count apart). nil for events
    /// that trigger nothing.
    public var triggerKey: String?
    /// `owner/repo#number`, lower case: runs of one issue or pull request go one at a time and
    /// count against its hourly cap.
    public var conversation: String?
    public var state: State
    /// The raw body, as signed.
    public var payload: [UInt8]
    /// What came of it, in a sentence (shown in logs and the status comment).
    public var outcome: String?
    /// The bot's status comment, once written, so a resumed run edits it instead of adding another.
    public var statusCommentID: Int64?
    /// The session the run made.
    public var sessionID: String?
    /// Whether that session was deleted after the retention period.
    public var sessionCleaned: Bool
    public var receivedAt: Date
    public var updatedAt: Date

    public init(id: String, event: String, action: String?, triggerKey: String?, conversation: String?, state: State,
                payload: [UInt8], outcome: String? = nil, statusCommentID: Int64? = nil, sessionID: String? = nil,
                sessionCleaned: Bool = false, receivedAt: Date, updatedAt: Date) {
        self.id = id
        self.event = event
        self.action = action
        self.triggerKey = triggerKey
        self.conversation = conversation
        self.state = state
        self.payload = payload
        self.outcome = outcome
        self.statusCommentID = statusCommentID
        self.sessionID = sessionID
        self.sessionCleaned = sessionCleaned
        self.receivedAt = receivedAt
        self.updatedAt = updatedAt
    }
}

/// What recording a delivery came to.
public enum WebhookDeliveryClaim: Sendable, Equatable {
    /// New: this call owns its work.
    case recorded
    /// This `X-GitHub-Delivery` was recorded before (a redelivery): here is where it stands.
    case sameDelivery(WebhookDeliveryRecord)
    /// Another delivery carried the same trigger (same repository and comment): here it is.
    case sameTrigger(WebhookDeliveryRecord)
}

/// Where the GitHub bot keeps its deliveries: the same database as the sessions, so a delivery
/// and the session it made live and die together.
public protocol WebhookDeliveryStore: Sendable {
    /// Records `delivery` unless its id or its trigger key is already known, atomically: two
    /// replicas or two hooks racing on one request make one claim.
    func claim(_ delivery: WebhookDeliveryRecord) async throws -> WebhookDeliveryClaim

    /// Replaces the stored delivery with `delivery.id`. Throws ``StorageError/notFound(_:)``.
    func updateDelivery(_ delivery: WebhookDeliveryRecord) async throws

    func delivery(id: String) async throws -> WebhookDeliveryRecord?

    /// Deliveries in `states`, oldest first (a restart resumes the unfinished ones).
    func deliveries(in states: [WebhookDeliveryRecord.State]) async throws -> [WebhookDeliveryRecord]

    /// How many runs of `conversation` were asked for between `start` and `end` (both included):
    /// deliveries waiting or running, or that made a session. Refusals made no session and do
    /// not count. The per-issue hourly cap.
    func runCount(conversation: String, from start: Date, through end: Date) async throws -> Int

    /// Finished deliveries whose session is not cleaned yet and that finished before `date`.
    func sessionsToClean(finishedBefore date: Date) async throws -> [WebhookDeliveryRecord]
}
