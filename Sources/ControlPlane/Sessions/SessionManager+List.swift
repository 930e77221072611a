import Foundation
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
    public func listSessions(_ request: Netclode_V1_ListSessionsRequest) throws(ControlPlaneError) -> Netclode_V1_ListSessionsResponse {
        let query = try SessionListQuery(request)
        let matching = records.values
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
