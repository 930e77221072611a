import ConnectRPC
import Hummingbird

/// The client API (`SessionService`, `GitHubService`), behind the API token.
struct ClientAPIRoutes: ControlPlaneRouteGroup {
    func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        let options = ConnectServerOptions(observer: server.metrics)
        group.add(middleware: server.apiTokenMiddleware)
        SessionServiceRoutes.register(on: group, manager: server.manager, options: options)
        GitHubServiceRoutes.register(on: group, listing: RepositoryListing(github: server.manager.github, logger: server.logger), options: options)
    }
}

/// The channel agents dial back on, behind their per-session secret.
struct AgentChannelRoutes: ControlPlaneRouteGroup {
    func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        group.add(middleware: AgentCredentialMiddleware(observer: server.metrics))
        AgentServiceRoutes.register(on: group, manager: server.manager, options: ConnectServerOptions(observer: server.metrics))
    }
}
