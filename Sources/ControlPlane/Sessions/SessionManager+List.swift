import Foundation
import GitHubApp
import NetclodeProto
import Storage
import SwiftProtobuf

extension SessionManager {
    /// `ListSessions`: one page of the sessions `request` asks for, oldest first (by creation time,
    /// then ID), and the token of the next page when there is one.
    ///
    /// Deleted sessions are left out unless asked for: their records and history are kept for
    /// good, so on a long-lived server they would soon outnumber the live ones. Pages keep the
    /// answer bounded however long the history grows.
    ///
    /// A replica lists the store's sessions (with its own sessions' latest state): every replica
    /// lists every session.
    public func listSessions(_ request: Netclode_V1_ListSessionsRequest) async throws(ControlPlaneError) -> Netclode_V1_ListSessionsResponse {
        let query = try SessionListQuery(request)
        var all = records
        if replica != nil {
            do {
                for stored in try await store.sessions() where all[stored.id] == nil {
                    all[stored.id] = stored.loaded(webURL: github.endpoints.webURL)
                }
            } catch {
                throw .unavailable("could not list the sessions: \(error)")
            }
        }
        let matching = all.values
            .filter { query.statuses.contains($0.sessionStatus) }
            .map { (key: SessionPageToken($0), record: $0) }
            .filter { entry in query.after.map { entry.key > $0 } ?? true }
            .sorted { $0.key < $1.key }
        let page = matching.prefix(query.pageSize)
        return .with {
            $0.sessions = page.map { $0.record.wire }
            if matching.count > page.count, let last = page.last { $0.nextPageToken = last.key.encoded }
        }
    }
}
