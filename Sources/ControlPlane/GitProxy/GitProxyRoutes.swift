import Foundation
import GitHubApp
import Hummingbird

/// `/git/<owner>/<repo>.git/{info/refs, git-upload-pack, git-receive-pack}`: the git proxy, behind
/// each proxy-mode session's own credential (checked per request by ``GitProxy``), not the API token.
struct GitProxyRoutes: ControlPlaneRouteGroup {
    var path: String { "/git" }

    func addRoutes(to group: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        let proxyDirectory = server.settings.dataDirectory.appendingPathComponent("git-proxy", isDirectory: true)
        let proxy = GitProxy(
            manager: server.manager, webURL: server.manager.github.endpoints.webURL,
            mirrors: AncestryMirrors(root: proxyDirectory.appendingPathComponent("mirrors", isDirectory: true), logger: server.logger),
            spoolDirectory: proxyDirectory.appendingPathComponent("spool", isDirectory: true), logger: server.logger)
        group.get(":owner/:repo/info/refs") { request, context in try await proxy.infoRefs(request, context: context) }
        group.post(":owner/:repo/git-upload-pack") { request, context in try await proxy.uploadPack(request, context: context) }
        group.post(":owner/:repo/git-receive-pack") { request, context in try await proxy.receivePack(request, context: context) }
    }
}
