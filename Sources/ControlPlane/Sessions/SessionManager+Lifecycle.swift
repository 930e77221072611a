import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Sandbox
import Storage
import SwiftProtobuf

/// Starting (restoring the stored sessions) and stopping the manager.
extension SessionManager {
    /// Called once the API listens: agents can dial back from now on. Loads every stored session,
    /// then gives the ones that were running their sandbox back, with freshly minted tokens, in
    /// the background.
    ///
    /// Restoring must not hold up the server: each restored start keeps its start slot until its
    /// agent dials back, which needs the server to accept connections; and a liveness probe that
    /// gets no answer for minutes restarts the process. So this returns once the records are
    /// loaded (the API can answer for every session), and `/readyz` reports the progress.
    /// Whether ``start(controlPlaneURL:)`` has run: the server listens and sessions can be created.
    public var isStarted: Bool { controlPlaneURL != nil }

    public func start(controlPlaneURL: URL) async throws {
        self.controlPlaneURL = controlPlaneURL
        await runtime.onExit { [weak self] sessionID, code in
            // Not awaited by the runtime: the exit is handled in the session's turn.
            Task { await self?.sandboxExited(sessionID, code: code) }
        }
        await runtime.onEgress { [weak self] refusal in
            await self?.recordEgress(refusal)
        }
        let stored = try await store.sessions()
        for record in stored { records[record.id] = record }
        let running = stored.filter { $0.sessionStatus.wantsSandbox }.map(\.id)
        restore = RestoreProgress(phase: .restoring, total: running.count)
        logger.info("sessions loaded", metadata: ["sessions": "\(stored.count)", "to_restore": "\(running.count)"])
        restoreTask = Task { [weak self] in
            await withTaskGroup(of: Void.self) { group in
                for id in running {
                    group.addTask { await self?.restoreSession(id) }
                }
            }
            await self?.restoreFinished()
        }
    }

    /// Gives one stored session its sandbox back. Waits for a start slot like any start (never
    /// refused: the session exists already), then takes the session's turn, so a pause or delete
    /// that arrives meanwhile is applied in order.
    private func restoreSession(_ id: String) async {
        do {
            try await starts.acquire(id, queueing: .unbounded)
        } catch {
            return  // shutting down while it waited
        }
        do {
            try await exclusively(id) { () async throws(ControlPlaneError) in
                guard let record = records[id], record.sessionStatus.wantsSandbox else {
                    await starts.release(id)  // paused or deleted while it waited
                    return
                }
                do {
                    try await startSandbox(record)
                    restore.started += 1
                    sessionLogger(id).info("session restored")
                } catch {
                    restore.failed += 1
                    await stopSandbox(id, reason: "restore failed")
                    sessionLogger(id).error("session could not be restored", metadata: ["error": "\(error)"])
                    try? await setStatus(id, .error, error: "could not restart after a control-plane restart: \(Self.describe(error))")
                }
            }
        } catch {
            await starts.release(id)
        }
    }

    private func restoreFinished() {
        guard restore.phase == .restoring else { return }
        restore.phase = .restored
        logger.info("sessions restored", metadata: ["started": "\(restore.started)", "failed": "\(restore.failed)"])
    }

    /// Graceful shutdown: new operations are refused, running ones finish, agents are told,
    /// sandboxes stopped, tokens revoked, the store closed. Session statuses are left as they are,
    /// so the next start restores them.
    public func shutdown() async {
        restoreTask?.cancel()  // restores still waiting for a slot or a turn give up
        for start in pendingStarts.values { start.cancel() }  // so do starts of new sessions
        await drainOperations(timeout: .seconds(30))
        // The sandboxes stop below, and their runs with them: said in each history now, while
        // the store is open.
        for id in Array(runs.keys) { await endRuns(of: id, because: "the control plane shut down") }
        for id in records.keys where await agents.isAttached(id) {
            await agents.send(sessionID: id, .make(.shutdown(.with { $0.reason = "control plane shutting down" })))
        }
        stopping.formUnion(records.keys)
        await runtime.stopAll(grace: .seconds(3))
        await agents.closeAll()
        await hub.finishAll()
        await github.broker?.shutdown()
        do { try await store.close() } catch { logger.error("closing the store failed: \(error)") }
    }
}
