import Logging
import NetclodeProto
import Storage

/// What the manager exposes to `/metrics` and `/readyz`, and the per-session logger.
extension SessionManager {
    /// A repository of a session, for pairing a clone's `starting` with its `done`.
    struct CloneKey: Hashable {
        let session: String
        let repo: String
    }

    /// The manager's logger with `session_id` set, so every line about a session can be found by
    /// its id whatever the message says.
    func sessionLogger(_ id: String) -> Logger {
        var logger = self.logger
        logger[metadataKey: "session_id"] = "\(id)"
        return logger
    }

    /// How many sessions are in each status now.
    public func statusCounts() -> [SessionStatus: Int] {
        var counts: [SessionStatus: Int] = [:]
        for record in records.values { counts[record.sessionStatus, default: 0] += 1 }
        return counts
    }

    /// Open `WatchSession` streams across all sessions.
    public func watcherCount() async -> Int {
        await hub.totalWatcherCount()
    }

    /// How far ``start(controlPlaneURL:)`` has got: before it, the API knows no stored session
    /// and new ones cannot start their sandbox; after it, running sessions come back in the
    /// background.
    var restoreProgress: RestoreProgress { restore }

    /// Readiness of the store: nil when it answers, else why not.
    public func storeProblem() async -> String? {
        do {
            try await store.ping()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Times a clone from its `starting` to its `done` event, as the events arrive. Not by the
    /// events' own timestamps: the agent stamps whole seconds, too coarse for a quick clone, and
    /// reports arrive within milliseconds. A clone that fails is not timed: its duration says
    /// nothing about clone speed.
    func timeClone(_ event: Netclode_V1_AgentEvent, sessionID: String) {
        let key = CloneKey(session: sessionID, repo: event.repo)
        switch CloneStage(rawValue: event.stage) {
        case .starting:
            cloneStarts[key] = .now
        case .done:
            guard let started = cloneStarts.removeValue(forKey: key) else { return }
            metrics.recordClone(.now - started)
        case .error:
            cloneStarts[key] = nil
        case .cloning, nil:
            break
        }
    }

    /// Drops the clone timings of a session whose sandbox stops: those clones will not finish.
    func forgetClones(of sessionID: String) {
        cloneStarts = cloneStarts.filter { $0.key.session != sessionID }
    }
}
