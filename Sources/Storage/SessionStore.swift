import Foundation

/// Where sessions and their event history live.
///
/// The control plane's `SessionManager` keeps its working state in memory and writes every
/// change through this protocol, so that a restart brings back each session and the history its
/// watchers replay. Tokens never pass through here: they are minted afresh after a restart.
///
/// The protocol is deliberately small and storage-agnostic (strings, bytes, dates) so that a
/// Postgres store can implement it later without the callers changing. ``SQLiteSessionStore`` is
/// the embedded implementation.
public protocol SessionStore: Sendable {
    /// Stores a new session. Throws ``StorageError/duplicate(_:)`` if a session with that id exists.
    func insertSession(_ session: SessionRecord) async throws

    /// Replaces the stored session that has `session.id`. Throws ``StorageError/notFound(_:)`` if
    /// there is none.
    func updateSession(_ session: SessionRecord) async throws

    /// The session with `id`, or `nil`.
    func session(id: String) async throws -> SessionRecord?

    /// Every session, ordered by `createdAt`, then `id` (a stable order for listings).
    func sessions() async throws -> [SessionRecord]

    /// Removes the session and all its events. Deleting a missing session is not an error, so a
    /// retried delete is harmless.
    func deleteSession(id: String) async throws

    /// Appends one event; returns its cursor (strictly increasing across the whole store, i.e. the
    /// row id). Cursors are never reused, even after the events holding them are deleted.
    /// Throws ``StorageError/notFound(_:)`` if the session does not exist.
    ///
    /// A `capped` event counts against the session's output cap: ``dropOldestCappedEvents(sessionID:atLeast:)``
    /// removes such events, oldest first, and leaves every other event alone.
    func appendEvent(sessionID: String, payload: [UInt8], at date: Date, capped: Bool) async throws -> Int64

    /// Appends several events of one session at once, in order, atomically (all or none); returns
    /// their cursors, ascending. What a busy agent's batched report costs one write instead of one
    /// per event.
    func appendEvents(sessionID: String, payloads: [[UInt8]], at date: Date, capped: Bool) async throws -> [Int64]

    /// The payload bytes of the session's capped events.
    func cappedBytes(sessionID: String) async throws -> Int

    /// Deletes the session's oldest capped events until their payloads add up to at least
    /// `bytes` (or none is left); returns how many events and bytes went.
    func dropOldestCappedEvents(sessionID: String, atLeast bytes: Int) async throws -> (events: Int, bytes: Int)

    /// Events of a session with cursor > `cursor` (0 = from the start), oldest first, at most `limit`.
    /// To page, pass the last returned cursor as the next `cursor`.
    func events(sessionID: String, after cursor: Int64, limit: Int) async throws -> [StoredEvent]

    /// Answers a trivial query, for readiness checks: succeeds only while the store is open and
    /// its database responds. Cheap enough to call on every probe.
    func ping() async throws

    /// Releases the store. Later calls throw ``StorageError/closed``; closing twice is harmless.
    func close() async throws
}

extension SessionStore {
    /// Appends an event that does not count against the output cap.
    public func appendEvent(sessionID: String, payload: [UInt8], at date: Date) async throws -> Int64 {
        try await appendEvent(sessionID: sessionID, payload: payload, at: date, capped: false)
    }
}
