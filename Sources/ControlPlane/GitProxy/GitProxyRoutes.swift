import Foundation
import GitHubApp
import Hummingbird

/// `/git/<owner>/<repo>.git/{info/refs, git-upload-pack, git-receive-pack}`: the git proxy, behind
/// each proxy-mode session's own credential (checked per request by ``GitProxy``), not the API token.
/// Served on the API port (host-network sandboxes) and on the sandbox listener (isolated ones).
struct GitProxyRoutes: ControlPlaneRouteGroup {
    var path: String { "/git" }

    func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        let proxy = GitProxy(
            manager: server.manager, webURL: server.manager.github.endpoints.webURL, mirrors: server.gitMirrors,
            spoolDirectory: ControlPlaneServer.gitProxyDirectory(server.settings).appendingPathComponent("spool", isDirectory: true),
            logger: server.logger)
        group.get(":owner/:repo/info/refs") { request, context in try await proxy.infoRefs(request, context: context) }
        group.post(":owner/:repo/git-upload-pack") { request, context in try await proxy.uploadPack(request, context: context) }
        group.post(":owner/:repo/git-receive-pack") { request, context in try await proxy.receivePack(request, context: context) }
    }
}
