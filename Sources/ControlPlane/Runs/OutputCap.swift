import Foundation
import Logging
import NetclodeProto
import Storage

/// The per-session cap on stored run output (`NETCLODE_RUN_OUTPUT_CAP`).
///
/// Output is the one kind of event an agent can produce without limit; the rest of a session's
/// history (clones, access changes, run starts and ends) stays whole. When a session's output
/// passes the cap, the oldest output events are deleted until it is down to three quarters of the
/// cap — so the deletes come in batches rather than one per chunk — and an `output_dropped`
/// event says how much went.
extension SessionManager {
    func enforceOutputCap(_ sessionID: String, added: Int) async {
        let total: Int
        if let known = outputBytes[sessionID] {
            total = known + added
        } else {
            // First output since this process started: the store knows what earlier runs left
            // (this event included).
            let stored = (try? await store.cappedBytes(sessionID: sessionID)) ?? added
            total = outputBytes[sessionID].map { $0 + added } ?? stored
        }
        outputBytes[sessionID] = total
        let cap = options.runs.outputCap
        guard total > cap, !trimmingOutput.contains(sessionID) else { return }
        trimmingOutput.insert(sessionID)
        defer { trimmingOutput.remove(sessionID) }
        let dropped: (events: Int, bytes: Int)
        do {
            dropped = try await store.dropOldestCappedEvents(sessionID: sessionID, atLeast: total - cap * 3 / 4)
        } catch {
            sessionLogger(sessionID).warning("could not drop old run output: \(error)")
            return
        }
        outputBytes[sessionID, default: 0] -= dropped.bytes
        guard dropped.events > 0 else { return }
        try? await record(.now(kind: ProcessEventKind.outputDropped) {
            $0.droppedBytes = Int64(dropped.bytes)
            $0.message = "The oldest \(dropped.bytes) bytes of run output (\(dropped.events) events) were dropped: this session keeps at most \(cap) bytes of output (NETCLODE_RUN_OUTPUT_CAP)"
        }, for: sessionID)
    }
}
