/// What to run in a session's sandbox.
///
/// The program is `netclode` itself (run as `netclode agent`): the local runtime's own binary on
/// this host, the image's `netclode` in a Pod. The runtime only decides where it runs, what it can
/// see and which environment it gets.
public struct SandboxSpec: Sendable {
    /// The session the sandbox belongs to; also the name of its directory, hence validated
    /// (`[A-Za-z0-9_-]{1,64}`, see ``SessionID``) before anything touches the filesystem.
    public var sessionID: String
    /// Arguments after the program name, e.g. `["agent"]`.
    public var arguments: [String]
    /// Local runtime only: the absolute path of a program on this host to run instead of
    /// `netclode` (its tests run `/bin/sh`). A runtime whose sandboxes do not run on this host
    /// refuses a spec that sets it.
    public var hostExecutable: String?
    /// The only environment the process gets (less ``secretVariables``), plus `HOME`, `PATH`,
    /// `LANG` (and `PWD`) set by the runtime. Nothing of the control plane's own environment (which may hold the App's private
    /// key) leaks in.
    public var environment: [String: String]
    /// Entries of ``environment`` that are secrets: the process never gets them in its
    /// environment (which bwrap's init and, while it is dumpable, anything the process starts can
    /// read through `/proc`), but as `NAME=value` lines it reads once: the local runtime writes
    /// them on its standard input (`NAME_FD=0` in the environment, see `SecretHandover`), the
    /// Kubernetes runtime into a file the agent deletes after reading it (`NAME_FILE`).
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
    /// Values the runtime keeps with the sandbox and hands back when it adopts it after a
    /// control-plane restart (``AdoptedSandbox/annotations``), e.g. the digest the agent's secret
    /// is checked against. Stored in clear (a Pod's annotations): never a secret. Keys are
    /// `[a-z0-9-]{1,40}`.
    public var annotations: [String: String]

    /// The agent's channel secret (`Authorization: Bearer` towards the control plane).
    public static let defaultSecretVariables: Set<String> = ["NETCLODE_AGENT_SECRET"]

    public init(sessionID: String, arguments: [String], environment: [String: String], hostExecutable: String? = nil,
                secretVariables: Set<String> = SandboxSpec.defaultSecretVariables,
                network: SandboxNetwork = .host, controlPlaneSocket: String? = nil, egress: EgressPolicy = EgressPolicy(),
                annotations: [String: String] = [:]) {
        self.sessionID = sessionID
        self.arguments = arguments
        self.hostExecutable = hostExecutable
        self.environment = environment
        self.secretVariables = secretVariables
        self.network = network
        self.controlPlaneSocket = controlPlaneSocket
        self.egress = egress
        self.annotations = annotations
    }
}
