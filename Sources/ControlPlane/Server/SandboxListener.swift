import ConnectRPC
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SocketRelay

/// The control plane's second listener: a Unix socket serving only
/// ``ControlPlaneServer/sandboxRouteGroups``, for sandboxes on an isolated network, which have no
/// route to the API port (see `SandboxNetwork`). The sandbox runtime binds the socket into each of
/// them; the agent dials its channel over it and forwards a loopback port to it for git.
///
/// A socket rather than a port: nothing on the network can reach it, and whoever reaches it has
/// been let in by the file system (the data directory is the control plane's own, 0700). Its
/// routes authenticate as on the API port (the agent channel with the session's agent secret).
struct SandboxListener: Sendable {
    let server: ControlPlaneServer
    let socketPath: String

    /// `path` when a socket can live there, else nil with a warning: sandboxes then cannot use an
    /// isolated network, and a session that asks for one is refused with the reason.
    static func usablePath(_ path: String, logger: Logger) -> String? {
        if let problem = UnixSocketPath.problem(with: path) {
            logger.warning("no sandbox listener: \(problem); sandboxes on an isolated network cannot start (choose a shorter NETCLODE_DATA_DIR)")
            return nil
        }
        return path
    }

    /// The listener as a service of the server's group: creates `run/` (0700), replaces a stale
    /// socket, serves until the group shuts down, then removes the socket.
    func service(onReady: @escaping @Sendable () async -> Void) -> some Service {
        let router = Router(context: ControlPlaneRequestContext.self)
        for group in server.sandboxRouteGroups {
            group.addRoutes(to: router.group(RouterPath(group.path)), server: server)
        }
        let app = Application(
            router: router,
            server: .http1AndH2C(),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: nil),
            onServerRunning: { _ in await onReady() },
            logger: server.logger
        )
        return SocketFileService(app: app, socketPath: socketPath)
    }
}

/// Runs `app` on a Unix socket and removes the socket file when it stops.
private struct SocketFileService<App: Service>: Service {
    let app: App
    let socketPath: String

    func run() async throws {
        let directory = URL(fileURLWithPath: socketPath).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { UnixSocketPath.remove(socketPath) }
        try await app.run()
    }
}
