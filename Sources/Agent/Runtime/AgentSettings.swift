import Foundation

/// What the sandbox runtime hands the agent in its environment. Never a GitHub token or the App
/// key: those arrive over the authenticated channel.
public struct AgentSettings: Sendable {
    public var controlPlaneURL: String
    public var sessionID: String
    public var secret: String
    /// The clone URLs from `GIT_REPOS` (the config from the control plane is authoritative).
    public var repositoryURLs: [String]
    public var home: URL
    public var workspace: URL

    public init(controlPlaneURL: String, sessionID: String, secret: String, repositoryURLs: [String], home: URL, workspace: URL) {
        self.controlPlaneURL = controlPlaneURL
        self.sessionID = sessionID
        self.secret = secret
        self.repositoryURLs = repositoryURLs
        self.home = home
        self.workspace = workspace
    }

    /// Reads `NETCLODE_CONTROL_PLANE_URL`, `NETCLODE_SESSION_ID`, `NETCLODE_AGENT_SECRET`,
    /// `GIT_REPOS` (a JSON array), `HOME`, and the working directory as the workspace.
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
        self.init(
            controlPlaneURL: try required("NETCLODE_CONTROL_PLANE_URL"),
            sessionID: try required("NETCLODE_SESSION_ID"),
            secret: try required("NETCLODE_AGENT_SECRET"),
            repositoryURLs: repos,
            home: URL(fileURLWithPath: try required("HOME"), isDirectory: true),
            workspace: URL(fileURLWithPath: workingDirectory, isDirectory: true)
        )
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

    public var description: String {
        switch self {
        case .missingSetting(let name): "\(name) is not set (the sandbox runtime provides it)"
        case .invalidSetting(let name, let reason): "\(name) \(reason)"
        case .rejected(let reason): "the control plane refused this agent: \(reason)"
        }
    }
}
