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
    /// the background: a sandbox that outlived the previous control plane (a Pod) is adopted, its
    /// agent reconnecting with the secret it has; any other is started anew.
    ///
    /// Restoring must not hold up the server: each restored start keeps its start slot until its
    /// agent dials back, which needs the server to accept connections; and a liveness probe that
    /// gets no answer for minutes restarts the process. So this returns once the records are
    /// loaded (the API can answer for every session), and `/readyz` reports the progress.
    /// Whether ``start(controlPlaneURL:)`` has run: the server listens and sessions can be created.
    public var isStarted: Bool { controlPlaneURL != nil }

    public func start(controlPlaneURL: URL) async throws {
        self.controlPlaneURL = controlPlaneURL
        let events = runtime.events
        runtimeEvents = Task { [weak self] in
            for await event in events {
                await self?.handle(event)
            }
        }
        let stored = try await sessionsToRun().map { $0.loaded(webURL: github.endpoints.webURL) }
        for record in stored { records[record.id] = record }
        let adopting = await adoptSandboxes()
        let running = stored.filter { $0.sessionStatus.wantsSandbox && adopting[$0.id] == nil }.map(\.id)
        restore = RestoreProgress(phase: .restoring, total: running.count + adopting.count)
        logger.info("sessions loaded", metadata: ["sessions": "\(stored.count)", "to_restore": "\(running.count)", "to_adopt": "\(adopting.count)"])
        restoreTask = Task { [weak self] in
            await withTaskGroup(of: Void.self) { group in
                for id in running {
                    group.addTask { await self?.restoreSession(id) }
                }
                for adoption in adopting.values {
                    group.addTask { await adoption.value }
                }
            }
            await self?.restoreFinished()
        }
    }

    /// The stored sessions this control plane runs: every one, or for a replica those whose
    /// lease it could take (nobody else's live lease), after which it keeps renewing them,
    /// follows other replicas' changes, and takes over what lapses.
    private func sessionsToRun() async throws -> [SessionRecord] {
        guard let replica else { return try await store.sessions() }
        let feed = ReplicaFeed(leases: replica.leases, hub: hub, webURL: github.endpoints.webURL, logger: logger) { [weak self] id in
            await self?.runsHere(id) ?? false
        }
        await feed.start()
        self.feed = feed
        var taken: [SessionRecord] = []
        for id in try await replica.leases.claimLapsedSessions(for: replica.lease, limit: 10_000) {
            heldSince[id] = .now
            if let record = try await store.session(id: id) { taken.append(record) }
        }
        leaseTask = Task { [weak self] in await self?.runLeases(replica) }
        logger.info("replica started", metadata: ["replica": "\(replica.lease.id)", "url": "\(replica.lease.url)", "sessions_taken": "\(taken.count)"])
        return taken
    }

    /// Whether this control plane runs `id` (always, for a lone one).
    func runsHere(_ id: String) -> Bool {
        records[id] != nil
    }

    /// One report of the runtime's. An end is handled in the session's turn, which may have to
    /// wait, so it is not awaited here: the next event is not held up.
    private func handle(_ event: SandboxEvent) async {
        switch event {
        case .egressRefused(let refusal):
            await recordEgress(refusal)
        case .exited, .failed:
            Task { await self.sandboxEnded(event.sessionID, event) }
        }
    }

    /// Takes back the sandboxes that outlived the previous control plane (a cluster's Pods, see
    /// ``SandboxRuntime/adoptRunning()``), by session: each gets an adoption task that leases its
    /// tokens and registers its agent's secret digest; an agent that dials in meanwhile waits for
    /// it (``verifyAgent(sessionID:secret:)``). A sandbox whose session no longer wants one
    /// (paused, deleted, unknown here) or that carries no digest is stopped; its workspace is
    /// kept. If the runtime cannot list them, they are started anew like local ones.
    private func adoptSandboxes() async -> [String: Task<Void, Never>] {
        guard runtime.sandboxesOutliveControlPlane else { return [:] }
        let sandboxes: [AdoptedSandbox]
        do {
            // A replica takes back only the sandboxes of the sessions it holds; the others are
            // other replicas' to run.
            sandboxes = try await replica == nil ? runtime.adoptRunning() : runtime.adoptRunning(sessionIDs: Set(records.keys))
        } catch {
            logger.error("cannot list the sandboxes left running by the previous control plane; starting them anew: \(error)")
            return [:]
        }
        for sandbox in sandboxes {
            let id = sandbox.info.sessionID
            guard let record = records[id], record.sessionStatus.wantsSandbox,
                  let digest = sandbox.annotations[Self.agentSecretDigestAnnotation] else {
                sessionLogger(id).warning("stopping a sandbox left by the previous control plane: its session is not running here",
                                          metadata: ["sandbox": "\(sandbox.info.location)", "status": "\(records[id]?.status ?? "unknown")"])
                let runtime = self.runtime
                Task { await runtime.stop(sessionID: id, grace: .seconds(3)) }
                continue
            }
            adoptions[id] = Task { [weak self] in
                await self?.adopt(record.id, secretDigest: digest, location: sandbox.info.location)
            }
        }
        return adoptions
    }

    /// Adopts one running sandbox in the session's turn: fresh tokens, the agent's secret digest
    /// and (proxy mode) a fresh git proxy credential, which its agent gets in the config it is
    /// sent when it attaches again. Failing that, the session goes to `error` and the sandbox is
    /// stopped.
    func adopt(_ id: String, secretDigest: String, location: String, after cause: RestoreCause = .restart) async {
        do {
            try await exclusively(id) { () async throws(ControlPlaneError) in
                guard let record = records[id], record.sessionStatus.wantsSandbox else { return }
                do {
                    try await leaseTokens(record)
                    await agents.register(sessionID: id, secretDigest: secretDigest,
                                          gitCredential: record.mode == .proxy ? Identifiers.gitProxyCredential() : nil)
                    if cause == .restart {
                        restore.started += 1
                        restore.adopted += 1
                    }
                    sessionLogger(id).info("session adopted", metadata: ["sandbox": "\(location)"])
                } catch {
                    if cause == .restart { restore.failed += 1 }
                    await stopSandbox(id, reason: "adoption failed")
                    sessionLogger(id).error("session could not be adopted", metadata: ["error": "\(error)"])
                    try? await setStatus(id, .error, error: "could not take the sandbox back \(cause.phrase): \(Self.describe(error))")
                }
            }
        } catch {
            // Shutting down while it waited for its turn.
        }
        adoptions[id] = nil
    }

    /// Gives one stored session its sandbox back. Waits for a start slot like any start (never
    /// refused: the session exists already), then takes the session's turn, so a pause or delete
    /// that arrives meanwhile is applied in order.
    func restoreSession(_ id: String, after cause: RestoreCause = .restart) async {
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
                    if cause == .restart { restore.started += 1 }
                    sessionLogger(id).info("session restored")
                } catch {
                    if cause == .restart { restore.failed += 1 }
                    await stopSandbox(id, reason: "restore failed")
                    sessionLogger(id).error("session could not be restored", metadata: ["error": "\(error)"])
                    try? await setStatus(id, .error, error: "could not restart \(cause.phrase): \(Self.describe(error))")
                }
            }
        } catch {
            await starts.release(id)
        }
    }

    /// Why a session's sandbox is given back: this control plane started (counted in `/readyz`'s
    /// restore progress), or it took the session over from another replica.
    enum RestoreCause: Sendable {
        case restart, takeover

        var phrase: String {
            switch self {
            case .restart: "after a control-plane restart"
            case .takeover: "after its control-plane replica went away"
            }
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
        leaseTask?.cancel()
        for start in pendingStarts.values { start.cancel() }  // so do starts of new sessions
        await drainOperations(timeout: .seconds(30))
        // The sandboxes stop below, and their runs with them: said in each history now, while
        // the store is open.
        for id in Array(runs.keys) {
            if runtime.sandboxesOutliveControlPlane, let run = runs[id] {
                // The sandbox stays up; its run must not go on unrecorded.
                await agents.send(sessionID: id, .make(.cancelProcess(.with {
                    $0.processID = run.id
                    $0.reason = "the control plane shut down"
                })))
            }
            await endRuns(of: id, because: "the control plane shut down")
        }
        // Sandboxes that outlive the control plane keep their agents, which dial in again once
        // the next one is up (it adopts them); local ones are told, then stopped.
        if !runtime.sandboxesOutliveControlPlane {
            for id in records.keys where await agents.isAttached(id) {
                await agents.send(sessionID: id, .make(.shutdown(.with { $0.reason = "control plane shutting down" })))
            }
        }
        stopping.formUnion(records.keys)
        await runtime.shutdown(grace: .seconds(3))
        runtimeEvents?.cancel()
        await agents.closeAll()
        await hub.finishAll()
        await github.broker?.shutdown()
        await feed?.stop()
        // Sessions go to the other replicas at once (their sandboxes stopped above).
        await releaseLeases()
        do { try await store.close() } catch { logger.error("closing the store failed: \(error)") }
    }
}
