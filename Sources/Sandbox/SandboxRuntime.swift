/// Starts, stops and supervises the one sandbox each session runs (its agent).
///
/// The session manager talks to this protocol only, so the embedded `local` runtime
/// (``LocalSandboxRuntime``, a bubblewrap process per session) and the `kubernetes` runtime (a Pod
/// per session) are interchangeable. Nothing here assumes a process on this host: a sandbox is
/// named by its session ID, described by a ``SandboxInfo``, and reports what happens to it on
/// ``events``.
public protocol SandboxRuntime: Sendable {
    /// Whether sandboxes outlive the control plane: false for the local runtime (its processes
    /// are stopped at shutdown and die with it), true for a cluster (Pods keep running through a
    /// control-plane restart and are adopted back, see ``adoptRunning()``).
    var sandboxesOutliveControlPlane: Bool { get }

    /// What the runtime reports on its own: sandboxes that ended or failed, egress refusals. One
    /// consumer (the session manager); events are buffered until it reads them.
    var events: AsyncStream<SandboxEvent> { get }

    /// Throws what would make every start fail (no isolation available, no agent program, no
    /// cluster configuration), so a new session is refused at once rather than failing after it
    /// was made.
    func checkCanStart() async throws

    /// Starts the session's sandbox. Its workspace (and, where the runtime keeps one, its home)
    /// is created if missing and kept if present, so a resumed session finds its clones again.
    func start(_ spec: SandboxSpec) async throws -> SandboxInfo

    /// Stops it, giving it `grace` to end before it is killed. Returns once it is gone. No error
    /// if it is not running; the workspace is kept.
    func stop(sessionID: String, grace: Duration) async

    func status(sessionID: String) async -> SandboxStatus

    /// Stops it and deletes everything it had: workspace, home, logs, and whatever else the
    /// runtime made for it.
    func remove(sessionID: String) async throws

    /// The sandboxes still running from before this control plane started, which it takes back
    /// (their agents dial in again) instead of starting new ones. The local runtime has none.
    /// From now on the runtime supervises them as if it had started them.
    func adoptRunning() async throws -> [AdoptedSandbox]

    /// The same for the sandboxes of `sessionIDs` only, leaving every other one alone: a replica
    /// takes back only the sessions whose lease it holds; the others belong to other replicas.
    func adoptRunning(sessionIDs: Set<String>) async throws -> [AdoptedSandbox]

    /// The control plane is shutting down: sandboxes that cannot outlive it are stopped (with
    /// `grace`); the others are left running for the next control plane to adopt.
    func shutdown(grace: Duration) async
}

extension SandboxRuntime {
    /// For runtimes whose sandboxes never outlive the control plane (nothing to adopt).
    public func adoptRunning(sessionIDs: Set<String>) async throws -> [AdoptedSandbox] {
        try await adoptRunning().filter { sessionIDs.contains($0.info.sessionID) }
    }
}
