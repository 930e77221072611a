import Foundation

/// What the sandbox runtime hands the agent: its environment, and the channel secret on a
/// descriptor. Never a GitHub token or the App key: those arrive over the authenticated channel.
public struct AgentSettings: Sendable {
    public var controlPlaneURL: String
    public var sessionID: String
    public var secret: String
    /// The clone URLs from `GIT_REPOS` (the config from the control plane is authoritative).
    public var repositoryURLs: [String]
    public var home: URL
    public var workspace: URL
    /// `NETCLODE_CONTROL_PLANE_SOCKET`, in a sandbox on an isolated network: the control plane's
    /// sandbox listener, a Unix socket. The agent's channel goes over it, and the agent forwards a
    /// loopback port to it for git (see ``AgentRuntime/controlPlaneHTTPURL``).
    public var controlPlaneSocket: String?
    /// `NETCLODE_EGRESS_SOCKET`, in a sandbox on an isolated network: the session's egress proxy,
    /// a Unix socket the agent forwards a loopback port to, named in `HTTP(S)_PROXY` for every
    /// command it runs.
    public var egressSocket: String?

    public init(controlPlaneURL: String, sessionID: String, secret: String, repositoryURLs: [String], home: URL, workspace: URL,
                controlPlaneSocket: String? = nil, egressSocket: String? = nil) {
        self.controlPlaneURL = controlPlaneURL
        self.sessionID = sessionID
        self.secret = secret
        self.repositoryURLs = repositoryURLs
        self.home = home
        self.workspace = workspace
        self.controlPlaneSocket = controlPlaneSocket
        self.egressSocket = egressSocket
    }

    /// The variables naming the sockets (the sandbox runtime sets them; see `SandboxSocket`).
    public static let controlPlaneSocketVariable = "NETCLODE_CONTROL_PLANE_SOCKET"
    public static let egressSocketVariable = "NETCLODE_EGRESS_SOCKET"

    /// The variable holding the agent's channel secret, and the one naming the descriptor it is
    /// handed over on instead (what the sandbox runtime does; see ``HandedOverSecrets``).
    public static let secretVariable = "NETCLODE_AGENT_SECRET"
    public static let secretDescriptorVariable = "NETCLODE_AGENT_SECRET_FD"
    /// The variable naming a file holding the secret instead (a Pod's handover volume; see
    /// ``HandedOverSecrets/receive(fromFile:variable:)``), which the agent deletes once read.
    public static let secretFileVariable = "NETCLODE_AGENT_SECRET_FILE"

    /// Reads `NETCLODE_CONTROL_PLANE_URL`, `NETCLODE_SESSION_ID`, the secret, `GIT_REPOS` (a JSON
    /// array), `HOME`, the working directory as the workspace, and on an isolated network
    /// `NETCLODE_CONTROL_PLANE_SOCKET` and `NETCLODE_EGRESS_SOCKET`.
    ///
    /// The secret comes from the descriptor `NETCLODE_AGENT_SECRET_FD` names when it is set — read
    /// to its end and then pointed at `/dev/null` — (the local runtime), else from the file
    /// `NETCLODE_AGENT_SECRET_FILE` names, deleted once read (the Kubernetes runtime), else from
    /// `NETCLODE_AGENT_SECRET` (for a hand-started agent; no runtime puts it in the environment).
    public init(environment: [String: String], workingDirectory: String = FileManager.default.currentDirectoryPath) throws(AgentError) {
        func required(_ name: String) throws(AgentError) -> String {
            guard let value = environment[name], !value.isEmpty else { throw .missingSetting(name) }
            return value
        }
        let repos: [String]
        if let text = environment["GIT_REPOS"], !text.isEmpty {
            guard let data = text.data(using: .utf8), let parsed = try? JSONDecoder().decode([String].self, from: data) else {
                throw .invalidSetting("GIT_REPOS", "must be a JSON array of clone URLs")
            }
            repos = parsed
        } else {
            repos = []
        }
        let controlPlaneURL = try required("NETCLODE_CONTROL_PLANE_URL")
        let sessionID = try required("NETCLODE_SESSION_ID")
        let home = try required("HOME")
        let secret: String
        if let text = environment[Self.secretDescriptorVariable] {
            guard let descriptor = Int32(text.trimmingCharacters(in: .whitespaces)), descriptor >= 0 else {
                throw .invalidSetting(Self.secretDescriptorVariable, "must be a file descriptor number, got \"\(text)\"")
            }
            let values = try HandedOverSecrets.receive(from: descriptor, variable: Self.secretDescriptorVariable)
            guard let value = values[Self.secretVariable], !value.isEmpty else {
                throw .invalidSetting(Self.secretDescriptorVariable, "names descriptor \(descriptor), which did not deliver \(Self.secretVariable)")
            }
            secret = value
        } else if let path = environment[Self.secretFileVariable], !path.isEmpty {
            let values = try HandedOverSecrets.receive(fromFile: path, variable: Self.secretFileVariable)
            guard let value = values[Self.secretVariable], !value.isEmpty else {
                throw .invalidSetting(Self.secretFileVariable, "names \(path), which does not hold \(Self.secretVariable)")
            }
            secret = value
        } else {
            secret = try required(Self.secretVariable)
        }
        self.init(
            controlPlaneURL: controlPlaneURL,
            sessionID: sessionID,
            secret: secret,
            repositoryURLs: repos,
            home: URL(fileURLWithPath: home, isDirectory: true),
            workspace: URL(fileURLWithPath: workingDirectory, isDirectory: true),
            controlPlaneSocket: environment[Self.controlPlaneSocketVariable].flatMap { $0.isEmpty ? nil : $0 },
            egressSocket: environment[Self.egressSocketVariable].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// The base URL of the agent's channel: the control plane's URL, or on an isolated network its
    /// sandbox listener as async-http-client spells a Unix socket
    /// (`http+unix://%2Frun%2Fnetclode%2Fcontrol-plane.sock`).
    public var channelBaseURL: String {
        guard let controlPlaneSocket else { return controlPlaneURL }
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        let encoded = controlPlaneSocket.addingPercentEncoding(withAllowedCharacters: unreserved) ?? controlPlaneSocket
        return "http+unix://\(encoded)"
    }

    /// Where git's credential helper reaches the agent.
    public var socketPath: String {
        home.appendingPathComponent(CredentialHelperClient.defaultSocketRelativePath).path
    }
}

public enum AgentError: Error, Sendable, CustomStringConvertible {
    case missingSetting(String)
    case invalidSetting(String, String)
    case rejected(String)
    /// The agent could not protect itself from the commands it runs (see ``ProcessHardening``).
    case hardening(String)

    public var description: String {
        switch self {
        case .missingSetting(let name): "\(name) is not set (the sandbox runtime provides it)"
        case .invalidSetting(let name, let reason): "\(name) \(reason)"
        case .rejected(let reason): "the control plane refused this agent: \(reason)"
        case .hardening(let reason): "cannot keep the agent's secret from the commands it runs: \(reason)"
        }
    }
}
