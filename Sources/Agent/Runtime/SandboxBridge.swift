import Logging
import SocketRelay

/// The agent's side of an isolated network: loopback TCP ports inside the sandbox that forward to
/// the Unix sockets the sandbox runtime bound in, for programs that only speak TCP.
///
/// - the control plane's sandbox listener (``AgentSettings/controlPlaneSocket``): git and any
///   plain HTTP client reach the control plane at ``controlPlaneHTTPURL``; the agent's own
///   channel dials the socket directly;
/// - the session's egress proxy (``AgentSettings/egressSocket``): named in `HTTP_PROXY`,
///   `HTTPS_PROXY` (and the lower-case spellings curl and pip read) of every command and clone,
///   with `NO_PROXY` keeping loopback direct (the forwarders themselves).
///
/// On the host network neither socket is set and the bridge does nothing.
struct SandboxBridge: Sendable {
    let controlPlane: UnixSocketForwarder?
    let egress: UnixSocketForwarder?

    static func start(settings: AgentSettings, logger: Logger) async throws -> SandboxBridge {
        var controlPlane: UnixSocketForwarder?
        if let socket = settings.controlPlaneSocket {
            controlPlane = try await UnixSocketForwarder.start(forwardingTo: socket)
            logger.info("forwarding \(controlPlane!.httpURL) to the control plane's socket \(socket)")
        }
        do {
            var egress: UnixSocketForwarder?
            if let socket = settings.egressSocket {
                egress = try await UnixSocketForwarder.start(forwardingTo: socket)
                logger.info("forwarding \(egress!.httpURL) to the egress proxy's socket \(socket)")
            }
            return SandboxBridge(controlPlane: controlPlane, egress: egress)
        } catch {
            await controlPlane?.stop()
            throw error
        }
    }

    /// Where a plain HTTP client reaches the control plane, when forwarded.
    var controlPlaneHTTPURL: String? { controlPlane?.httpURL }

    /// The proxy variables for the sandbox's commands; empty without an egress proxy.
    var proxyEnvironment: [String: String] {
        guard let egress else { return [:] }
        let proxy = egress.httpURL
        let direct = "127.0.0.1,localhost,::1"
        return [
            "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
            "NO_PROXY": direct, "no_proxy": direct,
        ]
    }

    func stop() async {
        await controlPlane?.stop()
        await egress?.stop()
    }
}
