/// What can go wrong between git's credential helper and the agent.
public enum CredentialHelperError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The socket could not be created, reached or read.
    case socket(String)
    /// The other side did not speak the protocol.
    case protocolViolation(String)
    /// No socket path: neither `--socket`, `NETCLODE_AGENT_SOCKET` nor `HOME` is set.
    case noSocketPath
    /// The agent did not answer in time.
    case timedOut(Duration)
    /// Writing the helper into a git config file failed.
    case gitConfig(String)

    public var description: String {
        switch self {
        case .socket(let message): return message
        case .protocolViolation(let message): return "credential protocol error: \(message)"
        case .noSocketPath: return "no agent socket: set NETCLODE_AGENT_SOCKET or HOME"
        case .timedOut(let duration): return "the agent did not answer within \(duration)"
        case .gitConfig(let message): return message
        }
    }
}
