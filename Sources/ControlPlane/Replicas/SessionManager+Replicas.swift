import Foundation
import GitHubApp
import Sandbox
import Logging
import Storage

/// The manager as one of several replicas (``ReplicaRole``): it runs the sessions whose lease it
/// holds, renews those leases, takes over sessions whose replica stopped renewing, lets go of
/// any it lost, and says where a call about a session it does not run belongs.
extension SessionManager {
    /// Whether this is one of several replicas (`NETCLODE_ADVERTISE_URL`).
    public nonisolated var isReplica: Bool { replica != nil }

    /// Where calls about `id` are served: here, or at the replica holding its lease. A session
    /// nobody holds (its replica died, or let go when it stopped) is taken over on the spot
    /// rather than at the next tick, so the call that found it is not kept waiting.
    ///
    /// `forwarded`: the call already came from another replica, which thought this one holds
    /// the session. If it does not any more, the caller is told to retry rather than sent on.
    func placement(of id: String, forwarded: Bool) async throws(ControlPlaneError) -> SessionPlacement {
        guard let replica, !id.isEmpty, records[id] == nil else { return .here }
        do {
            if let holder = try await replica.leases.leaseHolder(of: id) {
                if holder.replicaID == replica.lease.id { return .here }
                guard !forwarded else {
                    throw ControlPlaneError.unavailable("session \"\(id)\" is moving between control-plane replicas; try again")
                }
                return .elsewhere(holder.url)
            }
            if try await replica.leases.claimSession(id: id, for: replica.lease) {
                await takeOver(id)
            }
            return .here
        } catch let error as ControlPlaneError {
            throw error
        } catch {
            throw .unavailable("cannot tell which control-plane replica runs session \"\(id)\": \(error)")
        }
    }

    /// Renews this replica's leases and takes over lapsed sessions, every third of the lease,
    /// until the manager shuts down.
    func runLeases(_ replica: ReplicaRole) async {
        var lastRenewal = ContinuousClock.now
        while !Task.isCancelled, !isShuttingDown {
            let tickStarted = ContinuousClock.now
            do {
                let held = try await replica.leases.renewLeases(of: replica.lease)
                lastRenewal = tickStarted
                // Sessions taken (created or claimed) after the renewal began may be missing
                // from its answer without being lost.
                for (id, since) in heldSince where since < tickStarted && !held.contains(id) {
                    await relinquish(id, because: "another replica took it over (this replica's lease lapsed)")
                }
                for id in try await replica.leases.claimLapsedSessions(for: replica.lease, limit: 100) {
                    await takeOver(id)
                }
            } catch {
                logger.warning("could not renew this replica's session leases", metadata: ["error": "\(error)"])
                if ContinuousClock.now - lastRenewal > replica.lease.duration {
                    // Others may have taken every session over by now: stop running them here.
                    for id in Array(heldSince.keys) {
                        await relinquish(id, because: "this replica could not renew its leases for longer than the lease (\(replica.lease.duration))")
                    }
                }
            }
            try? await Task.sleep(for: replica.tick)
        }
    }

    /// Runs a session whose lease this replica just took: loads its record and, if it was
    /// running, gives it its sandbox back with fresh tokens (with a shared
    /// `NETCLODE_WORKSPACES_DIR`, in the workspace it had), as after a restart.
    func takeOver(_ id: String) async {
        guard records[id] == nil else { return }
        heldSince[id] = .now
        let stored: SessionRecord?
        do {
            stored = try await store.session(id: id)
        } catch {
            heldSince[id] = nil
            logger.error("could not load a session this replica took over; letting it go for another try", metadata: ["session_id": "\(id)", "error": "\(error)"])
            if let replica { try? await replica.leases.releaseLeases(of: replica.lease, [id]) }
            return
        }
        guard let stored, records[id] == nil else { return }
        // Events the previous holder stored reach this replica's watchers before any of ours.
        await feed?.catchUp(id)
        let record = stored.loaded(webURL: github.endpoints.webURL)
        records[id] = record
        metrics.recordTakeover()
        sessionLogger(id).info("session taken over from another replica", metadata: ["status": "\(record.status)"])
        guard record.sessionStatus.wantsSandbox else { return }
        // A sandbox that outlived its replica (a Pod) is adopted: its agent dials in again
        // through the Service and is told its new credentials. Any other gets a new sandbox.
        if runtime.sandboxesOutliveControlPlane,
           let sandbox = try? await runtime.adoptRunning(sessionIDs: [id]).first,
           let digest = sandbox.annotations[Self.agentSecretDigestAnnotation] {
            adoptions[id] = Task { [weak self] in
                await self?.adopt(id, secretDigest: digest, location: sandbox.info.location, after: .takeover)
            }
        } else {
            Task { await self.restoreSession(id, after: .takeover) }
        }
    }

    /// Stops running a session this replica no longer holds: its sandbox, tokens and agent go;
    /// its record stays with the replica that holds it now, and watchers here keep following it
    /// through the feed.
    func relinquish(_ id: String, because reason: String) async {
        heldSince[id] = nil
        guard records[id] != nil else { return }
        sessionLogger(id).warning("session let go", metadata: ["reason": "\(reason)"])
        metrics.recordRelinquished()
        try? await exclusively(id) { () async throws(ControlPlaneError) in
            guard records[id] != nil else { return }
            cancelPendingStart(id)
            // A Pod stays for the replica that holds the session now, which adopts it.
            if !runtime.sandboxesOutliveControlPlane {
                stopping.insert(id)
                await runtime.stop(sessionID: id, grace: .seconds(3))
                stopping.remove(id)
            }
            await github.broker?.revoke(session: id)
            await agents.unregister(sessionID: id)
            await starts.release(id)
            forgetClones(of: id)
            runs[id] = nil
            reportBudgets[id] = nil
            outputBytes[id] = nil
            records[id] = nil
        }
    }

    /// A deleted session needs no holder (nothing runs; its record and history are read from
    /// the store anywhere): its lease goes, so no replica renews it for ever.
    func letGoOfDeleted(_ id: String) async {
        guard let replica else { return }
        heldSince[id] = nil
        do {
            try await replica.leases.releaseLeases(of: replica.lease, [id])
        } catch {
            sessionLogger(id).warning("could not release the deleted session's lease; it lapses in \(replica.lease.duration)", metadata: ["error": "\(error)"])
        }
    }

    /// At shutdown: gives up every lease, so other replicas take the sessions over at their next
    /// tick instead of when the leases lapse.
    func releaseLeases() async {
        guard let replica else { return }
        do {
            try await replica.leases.releaseLeases(of: replica.lease, nil)
            logger.info("released this replica's session leases", metadata: ["sessions": "\(heldSince.count)"])
        } catch {
            logger.warning("could not release this replica's session leases; they lapse in \(replica.lease.duration)", metadata: ["error": "\(error)"])
        }
        heldSince = [:]
    }

    /// What `/readyz` says about this replica, or nil for a lone control plane.
    var replicaSummary: ReplicaSummary? {
        guard let replica else { return nil }
        return ReplicaSummary(id: replica.lease.id, url: replica.lease.url, leaseSeconds: Int(replica.lease.duration.components.seconds),
                              sessionsHeld: heldSince.count)
    }
}

/// `/readyz`'s `replica` field.
struct ReplicaSummary: Encodable, Sendable, Equatable {
    var id: String
    var url: String
    var leaseSeconds: Int
    var sessionsHeld: Int
}
