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
    /// The only environment the process gets (less ``secretVariables``), plus `HOME`, `PATH`,
    /// `LANG` (and `PWD`) set by the runtime. Nothing of the control plane's own environment (which may hold the App's private
    /// key) leaks in.
    public var environment: [String: String]
    /// Entries of ``environment`` that are secrets: the process never gets them in its
    /// environment (which bwrap's init and, while it is dumpable, anything the process starts can
    /// read through `/proc`), but on its standard input as `NAME=value` lines, with `NAME_FD=0`
    /// in the environment saying where to read them (see `SecretHandover`).
    ///
    /// Defaults to the agent's channel secret, so a caller that sets `NETCLODE_AGENT_SECRET` in
    /// the environment gets it handed over safely without knowing about this.
    public var secretVariables: Set<String>
    /// The sandbox's network (see ``SandboxNetwork``); `.host` unless the caller says otherwise.
    public var network: SandboxNetwork
    /// On an isolated network: the host path of the control plane's sandbox listener, bound
    /// inside at ``SandboxSocket/controlPlane``. Required for `.isolated` (the agent has no
    /// other way to reach the control plane).
    public var controlPlaneSocket: String?
    /// On an isolated network: what the session's egress proxy lets through.
    public var egress: EgressPolicy

    /// The agent's channel secret (`Authorization: Bearer` towards the control plane).
    public static let defaultSecretVariables: Set<String> = ["NETCLODE_AGENT_SECRET"]

    public init(sessionID: String, executable: String, arguments: [String], environment: [String: String],
                secretVariables: Set<String> = SandboxSpec.defaultSecretVariables,
                network: SandboxNetwork = .host, controlPlaneSocket: String? = nil, egress: EgressPolicy = EgressPolicy()) {
        self.sessionID = sessionID
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.secretVariables = secretVariables
        self.network = network
        self.controlPlaneSocket = controlPlaneSocket
        self.egress = egress
    }
}
