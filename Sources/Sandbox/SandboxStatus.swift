/// What a session's sandbox is doing.
public enum SandboxStatus: Sendable, Equatable {
    /// Never started, stopped through the runtime, or removed.
    case notRunning
    /// Started and not ended: running, or still starting (a Pod being scheduled or pulling its
    /// image).
    case running
    /// Ended on its own (not through `stop`). `code` is the exit status, or 128 + signal number
    /// when it was killed by a signal (the shell's convention).
    case exited(code: Int32)
    /// Ended or cannot run, for a reason of the platform's (`OOMKilled`, `ImagePullBackOff`, ...):
    /// what ``SandboxEvent/failed(sessionID:reason:message:)`` reported.
    case failed(reason: String)
}
