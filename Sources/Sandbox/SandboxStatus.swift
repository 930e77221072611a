/// What a session's sandbox process is doing.
public enum SandboxStatus: Sendable, Equatable {
    /// Never started, stopped through the runtime, or removed.
    case notRunning
    /// Running; `pid` is the host PID of the process the runtime started.
    case running(pid: Int32)
    /// Exited on its own (not through `stop`). `code` is the exit status, or 128 + signal number
    /// when it was killed by a signal (the shell's convention).
    case exited(code: Int32)
}
