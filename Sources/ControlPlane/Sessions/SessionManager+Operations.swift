import Logging

/// One operation at a time per session, and a gate that closes at shutdown.
///
/// The manager is an actor, but its operations suspend (a mint, a sandbox start, an agent's
/// acknowledgement), and the actor runs other work meanwhile. Without an order, a pause arriving
/// during a resume could stop the sandbox before the resume started it, leaving a paused session
/// with a running sandbox and live tokens; a refresh delivered during an access change could hand
/// the agent the old level after the new one. So every operation that changes a session's
/// sandbox, tokens or status runs through ``exclusively(_:_:)``: operations of one session run
/// one after another, in arrival order; operations of different sessions still run concurrently.
/// Reads (get, list, watch) and agent reports need no turn: they read or fold into the latest
/// record (see ``update(_:publish:_:)``).
extension SessionManager {
    /// Runs `body` as the only operation of session `id`, once every earlier one has finished.
    /// Refused with `unavailable` once shutdown has begun; `cancelled` when the caller goes away
    /// while waiting for its turn.
    func exclusively<T>(_ id: String, _ body: () async throws(ControlPlaneError) -> T) async throws(ControlPlaneError) -> T {
        guard !isShuttingDown else {
            throw .unavailable("the control plane is shutting down; try again once it is back")
        }
        operationsInFlight += 1
        defer { operationFinished() }
        try await takeTurn(id)
        defer { passTurn(id) }
        return try await body()
    }

    /// Waits until no operation of `id` runs (and none waits before this one).
    private func takeTurn(_ id: String) async throws(ControlPlaneError) {
        if busySessions.insert(id).inserted { return }
        do {
            try await sessionWaiters.wait(id)
        } catch {
            throw .cancelled("the request for session \(id) was cancelled while it waited for an earlier one")
        }
        // The finishing operation handed its turn over: the session stays busy.
    }

    /// Operations of `id` waiting for their turn (for tests and diagnostics).
    func queuedOperations(for id: String) -> Int {
        sessionWaiters.count { $0 == id }
    }

    private func passTurn(_ id: String) {
        if sessionWaiters.resumeFirst(where: { $0 == id }, returning: ()) == nil {
            busySessions.remove(id)
        }
    }

    private func operationFinished() {
        operationsInFlight -= 1
        if operationsInFlight == 0 { drainWaiters.resumeAll(returning: ()) }
    }

    /// Closes the gate and waits (at most `timeout`) for the operations already running.
    func drainOperations(timeout: Duration) async {
        isShuttingDown = true
        guard operationsInFlight > 0 else { return }
        logger.info("waiting for session operations to finish", metadata: ["operations": "\(operationsInFlight)"])
        while operationsInFlight > 0 {
            do { try await drainWaiters.wait(true, timeout: timeout) } catch {
                logger.warning("shutting down with session operations still running", metadata: ["operations": "\(operationsInFlight)"])
                return
            }
        }
    }
}
