import Foundation
import Logging
import NetclodeProto
import Sandbox

/// Connections the egress proxy of a session's sandbox refused, in the session's history.
extension SessionManager {
    /// Records `refusal` as an `egress` event (stage `refused`, the message naming the target
    /// and the rule, e.g. `refused example.com:443: not in NETCLODE_EGRESS_ALLOW (*.github.com)`),
    /// so what the agent tried to reach is audited beside what it did.
    func recordEgress(_ refusal: EgressRefusal) async {
        guard records[refusal.sessionID] != nil else { return }
        do {
            try await record(.now(kind: "egress") {
                $0.stage = "refused"
                $0.message = refusal.description
            }, for: refusal.sessionID)
        } catch {
            sessionLogger(refusal.sessionID).warning("could not record an egress refusal: \(error)")
        }
    }
}
