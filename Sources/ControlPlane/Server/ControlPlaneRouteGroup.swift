import Hummingbird

/// The request context every control-plane route runs with.
public typealias ControlPlaneRequestContext = BasicRequestContext

/// One set of routes served by the control plane: the client API, the agent channel, the
/// observability endpoints, and whatever a feature mounts beside them (the GitHub bot's webhook,
/// the web UI's files, the git proxy).
///
/// A group brings its own authentication as middleware on the group it is given, so each one says
/// in one place who may call it: the client API adds ``APITokenMiddleware``, the agent channel its
/// agent-secret check, a webhook its signature check. Nothing is authenticated by default.
public protocol ControlPlaneRouteGroup: Sendable {
    /// The path the group's routes are mounted under (`""` for the root).
    var path: String { get }

    /// Adds the group's middleware and routes to `group`, which is already at ``path``.
    func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer)
}

extension ControlPlaneRouteGroup {
    public var path: String { "" }
}
