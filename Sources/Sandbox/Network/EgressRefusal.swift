/// A connection the egress proxy refused: what the sandbox asked for and which rule said no.
/// The runtime hands each one to its egress handler (``SandboxRuntime/onEgress(_:)``), which the
/// control plane records as an `egress` event in the session's history.
public struct EgressRefusal: Sendable, Equatable, CustomStringConvertible {
    public var sessionID: String
    public var host: String
    public var port: Int
    /// The rule, in words: `not in NETCLODE_EGRESS_ALLOW (...)`, `127.0.0.1 is a loopback address, ...`.
    public var reason: String

    public init(sessionID: String, host: String, port: Int, reason: String) {
        self.sessionID = sessionID
        self.host = host
        self.port = port
        self.reason = reason
    }

    /// `refused example.com:443: not in NETCLODE_EGRESS_ALLOW (*.github.com)`.
    public var description: String {
        "refused \(host.contains(":") ? "[\(host)]" : host):\(port): \(reason)"
    }
}
