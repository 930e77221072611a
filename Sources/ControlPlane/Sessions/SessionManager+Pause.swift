import Foundation
import GitHubApp
import Sandbox
import SwiftProtobuf
import Logging
import NetclodeProto
import Storage

/// `PauseSession` and `ResumeSession`: a paused session has no sandbox process and no live token;
/// its workspace stays on disk, so resuming does not clone again.
extension SessionManager {
    public func pauseSession(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
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

    public func resumeSession(_ id: String) async throws(ControlPlaneError) -> Netclode_V1_Session {
        let record = try await existing(id)
        switch record.sessionStatus {
        case .paused, .error: break
        case .deleted: throw .failedPrecondition("session \(id) is deleted; create a new one")
        default: return record.wire  // already running
        }
        // The start slot first: when too many sandboxes are starting, the refusal leaves the
        // session exactly as it was (still paused), not half-resumed.
        try await starts.acquire(id, queueing: .bounded)
        var resuming = record
        resuming.status = SessionStatus.creating.rawValue
        resuming.error = nil
        do {
            try await save(resuming)
        } catch {
            await starts.release(id)
            throw error
        }
        do {
            try await launch(resuming)
        } catch {
            let failure = Self.controlPlaneError(error)
            await stopSandbox(id, reason: "resume failed")
            try await setStatus(id, .error, error: "could not resume: \(failure.message)")
            throw failure
        }
        await hub.publish(id, .sessionUpdated(try await existing(id).wire))
        sessionLogger(id).info("session resumed")
        return try await existing(id).wire
    }

    /// Tells the agent, stops its sandbox, revokes the session's tokens and closes its channel.
    func stopSandbox(_ id: String, reason: String) async {
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
