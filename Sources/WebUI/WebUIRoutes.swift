import ControlPlane
import Hummingbird

/// The web UI, mounted on the control plane with ``ControlPlaneServer/mounting(_:)``: the page at
/// `/`, its files under `/ui/assets/`, and sign-in (``SignInRoutes``).
///
/// The files are public (they hold nothing but code); everything the UI shows comes from the
/// client API, which the browser calls like any client, authenticated by the session cookie
/// instead of the bearer token. The server trusts the UI no more than `curl`.
public struct WebUIRoutes: ControlPlaneRouteGroup {
    let assets: WebAssets

    public init(assets: WebAssets) {
        self.assets = assets
    }

    public func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        let files = StaticFileResponder(assets: assets)
        group.get("/") { request, _ in files.respond(to: request, name: "index.html") }
        group.get("/ui/assets/{name}") { request, context in
            files.respond(to: request, name: context.parameters.get("name") ?? "")
        }
        SignInRoutes(signIn: server.browserSignIn).register(on: group)
    }
}
