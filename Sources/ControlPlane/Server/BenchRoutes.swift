import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Benchmark-only: `POST /_bench/echo`, a bare Hummingbird JSON route with no authentication and no
/// Connect framing, registered only when `NETCLODE_BENCH_ROUTES=1`.
///
/// `netclode-bench` compares the Connect API's requests/s against this route served by the same
/// binary, so the ratio isolates the cost of Connect, authentication and the session manager from
/// that of HTTP itself. It returns a constant and touches no state, so it is harmless, but it is
/// off unless asked for so a production server exposes nothing it does not need.
struct BenchRoutes: ControlPlaneRouteGroup {
    static let environmentVariable = "NETCLODE_BENCH_ROUTES"

    /// Whether the route is on (read from the process environment by default).
    var isEnabled = ProcessInfo.processInfo.environment[Self.environmentVariable] == "1"

    func addRoutes(to router: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        guard isEnabled else { return }
        router.post("/_bench/echo") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#))
            )
        }
    }
}
