/// A started sandbox, in the terms every runtime has: the local runtime's process and a cluster
/// runtime's Pod alike. What only one runtime has (a host PID, host directories) stays with that
/// runtime (see ``LocalSandbox``).
public struct SandboxInfo: Sendable, Equatable {
    public let sessionID: String
    /// Where it runs, in the runtime's words, for logs and messages: `pid 4242`,
    /// `pod netclode/netclode-abc123`.
    public let location: String
    /// Whether it is isolated from the control plane's host: under bubblewrap, in a Pod. False
    /// only for the local runtime's `NETCLODE_SANDBOX=none`.
    public let isolated: Bool

    public init(sessionID: String, location: String, isolated: Bool) {
        self.sessionID = sessionID
        self.location = location
        self.isolated = isolated
    }
}

/// A sandbox that was running before this control plane started, which the runtime hands back
/// instead of the control plane starting a new one (see ``SandboxRuntime/adoptRunning()``).
public struct AdoptedSandbox: Sendable, Equatable {
    public let info: SandboxInfo
    /// The ``SandboxSpec/annotations`` it was started with.
    public let annotations: [String: String]

    public init(info: SandboxInfo, annotations: [String: String]) {
        self.info = info
        self.annotations = annotations
    }
}
