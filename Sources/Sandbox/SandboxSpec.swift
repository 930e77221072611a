/// What to run in a session's sandbox.
///
/// The runtime does not care what the executable is (in production `netclode agent`, in tests a
/// shell); it only decides where it runs, what it can see and which environment it gets.
public struct SandboxSpec: Sendable {
    /// The session the sandbox belongs to; also the name of its directory, hence validated
    /// (`[A-Za-z0-9_-]{1,64}`, see ``SessionID``) before anything touches the filesystem.
    public var sessionID: String
    /// Absolute path of the program to run, e.g. the `netclode` binary.
    public var executable: String
    /// Arguments after the program name, e.g. `["agent"]`.
    public var arguments: [String]
    /// The only environment the process gets, plus `HOME`, `PATH`, `LANG` (and `PWD`) set by the
    /// runtime. Nothing of the control plane's own environment (which may hold the App's private
    /// key) leaks in.
    public var environment: [String: String]

    public init(sessionID: String, executable: String, arguments: [String], environment: [String: String]) {
        self.sessionID = sessionID
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}
