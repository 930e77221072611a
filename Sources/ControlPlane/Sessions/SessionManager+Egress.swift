import Foundation
import Logging
import NetclodeProto
import Sandbox

/// Connections the egress proxy of a session's sandbox refused, in the session's history.
extension SessionManager {
    /// Records `refusal` as an `egress` event (stage `refused`, the message naming the target
    /// and the rule, e.g. `refused example.com:443: not in NETCLODE_EGRESS_ALLOW (*.github.com)`),
    /// so what the agent tried to reach is audited beside what it did.
    ///
    /// A sandbox decides how often it tries, so these events come out of the session's report
    /// budget (``ReportBudget``), like the agent's own: beyond it the refusal stands but is only
    /// logged.
    func recordEgress(_ refusal: EgressRefusal) async {
        guard records[refusal.sessionID] != nil else { return }
        guard reportBudgets[refusal.sessionID, default: ReportBudget()].take() else {
            sessionLogger(refusal.sessionID).debug("egress refusal over the report budget, not recorded: \(refusal.description)")
            return
        }
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
