import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Sandbox
import Storage
import SwiftProtobuf

/// `PauseSession` and `ResumeSession`: a paused session has no sandbox process and no live token;
/// its workspace stays on disk, so resuming does not clone again.
extension SessionManager {
    public func pauseSession(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        _ = try await existing(id)
        cancelPendingStart(id)
        return try await exclusively(id) { () async throws(ControlPlaneError) in
            let record = try await existing(id)
            switch record.sessionStatus {
            case .paused: return record.wire
            case .deleted: throw .failedPrecondition("session \(id) is deleted")
            default: break
            }
            await stopSandbox(id, reason: "session paused")
            try await setStatus(id, .paused)
            sessionLogger(id).info("session paused")
            return try await existing(id).wire
        }
    }

    public func resumeSession(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        let record = try await existing(id)
        guard record.sessionStatus.canResume else { return try resumeRefusal(record) }
        // The start slot first: when too many sandboxes are starting, the refusal leaves the
        // session exactly as it was (still paused), not half-resumed.
        let acquired = try await starts.acquire(id, queueing: .bounded)
        do {
            return try await exclusively(id) { () async throws(ControlPlaneError) in
                let record = try await existing(id)
                // Re-checked in turn: a resume or delete may have run while this one waited.
                guard record.sessionStatus.canResume else {
                    if acquired { await starts.release(id) }
                    return try resumeRefusal(record)
                }
                try await update(id, publish: false) { record in
                    record.status = SessionStatus.creating.rawValue
                    record.error = nil
                    // The new agent reports every repository again ("Already cloned"); statuses of
                    // the previous sandbox would declare the session ready before it has.
                    record.repoStatus = []
                }
                do {
                    try await startSandbox(record)
                } catch {
                    let failure = Self.controlPlaneError(error)
                    await stopSandbox(id, reason: "resume failed")
                    try await setStatus(id, .error, error: "could not resume: \(failure.message)")
                    throw failure
                }
                let resumed = try await existing(id)
                await hub.publish(id, .sessionUpdated(resumed.wire))
                sessionLogger(id).info("session resumed")
                return resumed.wire
            }
        } catch {
            // Refused or failed: the slot goes back (a no-op if the failed start gave it back).
            if acquired { await starts.release(id) }
            throw error
        }
    }

    /// What resuming a session that is not paused or failed answers: a deleted one is refused,
    /// a running one is returned as it is.
    private func resumeRefusal(_ record: SessionRecord) throws(ControlPlaneError) -> Netclode_V1_Session {
        if record.sessionStatus == .deleted {
            throw .failedPrecondition("session \(record.id) is deleted; create a new one")
        }
        return record.wire
    }

    /// Tells the agent, stops its sandbox, revokes the session's tokens and closes its channel.
    func stopSandbox(_ id: String, reason: String) async {
        await endRuns(of: id, because: reason)
        await agents.send(sessionID: id, .make(.shutdown(.with { $0.reason = reason })))
        stopping.insert(id)
        await runtime.stop(sessionID: id, grace: .seconds(3))
        await github.broker?.revoke(session: id)
        await agents.unregister(sessionID: id)
        forgetClones(of: id)
        stopping.remove(id)
        await starts.release(id)
    }
}
