/// The run a session is executing: at most one per session.
struct ActiveRun: Sendable {
    let id: String
    let started: ContinuousClock.Instant
    /// Ends the run if the agent never reports its end (the sandbox died, the agent hung).
    var watchdog: Task<Void, Never>?
}

/// The `run` stages that end a run.
enum RunStage: String {
    case started, finished, failed, cancelled

    var isFinal: Bool { self != .started }
}

/// The event kinds of runs and streamed execs (the process's `runID` ties them together).
enum ProcessEventKind {
    static let run = "run"
    static let agentOutput = "agent_output"
    static let execOutput = "exec_output"
    static let exec = "exec"
    static let outputDropped = "output_dropped"
}
