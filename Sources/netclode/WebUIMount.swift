import ControlPlane
import Logging
import WebUI

/// Mounts the web UI on a server `serve` or `dev` is about to run. A binary copied without its
/// resources directory still serves the API: the UI is missing, and the log says why.
enum WebUIMount {
    static func mount(on server: ControlPlaneServer, logger: Logger) -> ControlPlaneServer {
        do {
            return server.mounting(WebUIRoutes(assets: try WebAssets.bundled()))
        } catch {
            logger.warning("no web UI: \(error)")
            return server
        }
    }
}
