import ConnectRPC
import HTTPTypes
import Storage

/// Calls about a session another replica runs (exec, access changes, pause, ...) go to that
/// replica over the same Connect API, authenticated with the API token every replica shares,
/// and marked with the forwarding replica's id: the receiving replica serves the call if it
/// runs the session and never forwards it again (no loops while a session moves).
enum ReplicaForwarding {
    static let header = HTTPField.Name("Netclode-Forwarded-By")!

    static func isForwarded(_ call: ConnectCall) -> Bool {
        call.requestHeaders[header] != nil
    }

    /// A client of the replica at `url`, speaking for `replica` with `authorization` (the API
    /// token's by default; an agent's own secret for the agent channel).
    static func client(to url: String, from replica: ReplicaRole, authorization: String? = nil) -> ConnectClient {
        ConnectClient(baseURL: url, codec: .proto,
                      headers: [("Authorization", authorization ?? "Bearer \(replica.apiToken)"), (header.rawName, replica.lease.id)])
    }
}

extension SessionManager {
    /// A client of the replica running `sessionID` when that is not this one; nil to serve the
    /// call here.
    func ownerClient(for sessionID: String, call: ConnectCall) async throws(ControlPlaneError) -> ConnectClient? {
        guard let replica, case .elsewhere(let url) = try await placement(of: sessionID, forwarded: ReplicaForwarding.isForwarded(call)) else {
            return nil
        }
        metrics.recordForwarded(method: call.method)
        return ReplicaForwarding.client(to: url, from: replica)
    }

    /// For an agent's call (its channel, its reports): a client of the replica running its
    /// session, carrying the agent's own secret for that replica to check, or nil to serve it
    /// here. An agent dials the Service, which may hand it to any replica; this one relays it
    /// rather than making it retry until it lands on the right one. A session whose replica died
    /// is taken over by the first replica its agent reaches.
    func agentOwnerClient(for sessionID: String, call: ConnectCall) async throws(ControlPlaneError) -> ConnectClient? {
        guard let replica, case .elsewhere(let url) = try await placement(of: sessionID, forwarded: ReplicaForwarding.isForwarded(call)),
              let authorization = call.requestHeaders[.authorization] else {
            return nil
        }
        metrics.recordForwarded(method: call.method)
        return ReplicaForwarding.client(to: url, from: replica, authorization: authorization)
    }
}
