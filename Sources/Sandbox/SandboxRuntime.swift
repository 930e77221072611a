/// Starts, stops and supervises the one sandbox process each session runs (its agent).
///
/// The session manager talks to this protocol only, so the embedded `local` runtime
/// (``LocalSandboxRuntime``) and a cluster runtime (one Pod per session) are interchangeable.
public protocol SandboxRuntime: Sendable {
    /// Starts the session's sandbox process. Creates `<sessions root>/<id>/{home,workspace}` if
    /// missing (keeps them if present, so a resumed session finds its clones again).
    func start(_ spec: SandboxSpec) async throws -> SandboxInfo
    /// Throws what would make every start of `executable` fail (no isolation available, no such
    /// executable), so a new session is refused at once rather than failing after it was made.
    func checkCanStart(executable: String) async throws
    /// Stops it: SIGTERM, then SIGKILL after `grace`. No error if not running.
    func stop(sessionID: String, grace: Duration) async
    func status(sessionID: String) async -> SandboxStatus
    /// Stops it and deletes the session directory.
    func remove(sessionID: String) async throws
    /// Sets the handler called when a sandbox process exits on its own (not through `stop`),
    /// with the session ID and exit code, so the session manager can mark the session.
    func onExit(_ handler: @escaping @Sendable (String, Int32) async -> Void) async
    /// Stops every sandbox (control plane shutdown).
    func stopAll(grace: Duration) async
    /// Sets the handler called with every connection a sandbox's egress proxy refused, so the
    /// session manager can record it in the session's history.
    func onEgress(_ handler: @escaping @Sendable (EgressRefusal) async -> Void) async
}

extension SandboxRuntime {
    /// A runtime without an egress proxy has nothing to report.
    public func onEgress(_ handler: @escaping @Sendable (EgressRefusal) async -> Void) async {}
}
