import Foundation

/// Which network a sandbox gets (`NETCLODE_SANDBOX_NETWORK`).
public enum SandboxNetwork: String, Sendable, CaseIterable {
    /// Its own network namespace with loopback only (bwrap `--unshare-net`). Its way out is the
    /// agent: the control plane's sandbox listener (agent channel, git) and the session's egress
    /// proxy, both Unix sockets bound into the sandbox (see ``SandboxSocket``).
    case isolated
    /// The host's network, as before: the sandbox reaches whatever the host reaches.
    case host

    /// Parses `NETCLODE_SANDBOX_NETWORK`: nil when unset or empty (the control plane then picks
    /// per session); case and surrounding spaces are ignored; anything else is an error naming the
    /// value and the choices.
    public init?(setting: String?) throws(SandboxError) {
        let normalized = (setting ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !normalized.isEmpty else { return nil }
        guard let network = SandboxNetwork(rawValue: normalized) else {
            let choices = SandboxNetwork.allCases.map(\.rawValue).joined(separator: ", ")
            throw SandboxError(.invalidSetting,
                               "NETCLODE_SANDBOX_NETWORK=\"\(setting ?? "")\" is not a sandbox network; choose one of: \(choices)")
        }
        self = network
    }
}

/// Where the Unix sockets of a sandbox on an isolated network appear inside it, and the variables
/// that tell the agent.
public enum SandboxSocket {
    /// The control plane's sandbox listener (agent channel, and the git proxy).
    public static let controlPlane = "/run/netclode/control-plane.sock"
    /// The session's egress proxy.
    public static let egress = "/run/netclode/egress.sock"
    public static let controlPlaneVariable = "NETCLODE_CONTROL_PLANE_SOCKET"
    public static let egressVariable = "NETCLODE_EGRESS_SOCKET"
}
