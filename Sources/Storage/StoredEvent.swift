import Foundation

/// One entry of a session's event history.
///
/// The payload is opaque bytes (the control plane stores serialised protobuf events) so that this
/// module knows nothing of the wire format. The cursor is what watchers resume from.
public struct StoredEvent: Sendable, Equatable {
    /// Position in the store, strictly increasing across all sessions; never reused.
    public let cursor: Int64
    public let sessionID: String
    public let payload: [UInt8]
    /// When the event was appended, at millisecond precision.
    public let createdAt: Date

    public init(cursor: Int64, sessionID: String, payload: [UInt8], createdAt: Date) {
        self.cursor = cursor
        self.sessionID = sessionID
        self.payload = payload
        self.createdAt = createdAt
    }
}
