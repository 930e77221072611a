import ConnectRPC
import NetclodeProto

extension SessionClient {
    /// The id of the session `reference` names: an id, or the name of exactly one session that is
    /// not deleted — so `netclode session exec tour -- ...` works without copying an id around.
    ///
    /// An id always wins; a name costs `ListSessions` calls (one per page of live sessions), and only when it is not an id.
    public func resolve(_ reference: String) async throws -> String {
        try await session(reference).id
    }

    /// The session `reference` (an id or a unique live name) names, as ``resolve(_:)`` finds it.
    public func session(_ reference: String) async throws -> Netclode_V1_Session {
        do {
            return try await get(reference).session
        } catch let error as ConnectError where error.code == .notFound {
            // Every page: the default filter already leaves deleted sessions out.
            let named = try await listAll(Netclode_V1_ListSessionsRequest()).sessions.filter { $0.name == reference && $0.status != "deleted" }
            switch named.count {
            case 1:
                return named[0]
            case 0:
                throw ConnectError(.notFound, "session not found: no session has the id or name \"\(reference)\" (see `netclode session list`)")
            default:
                let choices = named.map { "\($0.id) (\($0.status))" }.joined(separator: ", ")
                throw ConnectError(.failedPrecondition, "several sessions are named \"\(reference)\": \(choices); give the id")
            }
        }
    }
}
