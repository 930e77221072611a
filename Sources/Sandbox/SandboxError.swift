/// Why the runtime refused or failed to do something, in words an operator can act on.
///
/// `code` lets callers branch (e.g. map ``Code/invalidSessionID`` to `invalid_argument`);
/// `description` is the message shown to the user.
public struct SandboxError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// The session ID is not `[A-Za-z0-9_-]{1,64}`.
        case invalidSessionID
        /// The session's sandbox is already running.
        case alreadyRunning
        /// `NETCLODE_SANDBOX` has a value that is not an isolation mode.
        case invalidIsolationMode
        /// Isolation was required (`bwrap`, or the default `auto`) but `bwrap` is not installed.
        case bwrapNotFound
        /// The spec is unusable (relative or missing executable, bad environment entry).
        case invalidSpec
        /// A bind mount would make the data directory, a hidden path or another session visible.
        case wouldExposeProtectedPath
        /// Creating the session's directories or log file failed.
        case filesystem
        /// The process could not be started.
        case launchFailed
        /// A setting (`NETCLODE_SANDBOX_NETWORK`, `NETCLODE_EGRESS_ALLOW`) has an unusable value.
        case invalidSetting
        /// An isolated network was asked for where it cannot be had (no bubblewrap isolation, no
        /// sandbox listener, a socket path too long).
        case isolatedNetworkUnavailable
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func invalidSessionID(_ id: String) -> SandboxError {
        SandboxError(.invalidSessionID,
                     "invalid session ID \"\(id)\": use 1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'")
    }

    /// No `bwrap`, so the sandbox would run unisolated: refused, with both ways out.
    static func bwrapNotFound(sessionID: String?, mode: IsolationMode) -> SandboxError {
        SandboxError(.bwrapNotFound, """
            cannot start \(sessionID.map { "the sandbox of session \($0)" } ?? "sandboxes"): NETCLODE_SANDBOX=\(mode.rawValue) isolates sandboxes with \
            bubblewrap, but bwrap is not installed or not on PATH, and a session never starts unisolated unless asked to; \
            install bubblewrap (e.g. `apt-get install bubblewrap`), or set NETCLODE_SANDBOX=none to run sandboxes \
            unisolated on purpose (they can then read the data directory and the GitHub App private key)
            """)
    }

    /// `NETCLODE_SANDBOX=none` runs sandboxes without namespaces, so there is no network to isolate.
    static func isolatedNetworkUnavailable(sessionID: String, _ reason: String) -> SandboxError {
        SandboxError(.isolatedNetworkUnavailable, "cannot start the sandbox of session \(sessionID) on an isolated network: \(reason)")
    }

    public static func alreadyRunning(_ id: String) -> SandboxError {
        SandboxError(.alreadyRunning, "the sandbox of session \(id) is already running")
    }
}
