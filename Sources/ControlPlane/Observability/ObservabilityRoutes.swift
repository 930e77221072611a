import Hummingbird
import HTTPTypes
import NIOCore

/// `GET /healthz` (liveness: the process serves HTTP), `GET /readyz` (readiness, see
/// ``Readiness``) and `GET /metrics` (Prometheus text). None needs the API token: probes and
/// scrapers carry no credentials, and none of these answers reveals a session's content or a
/// secret.
struct ObservabilityRoutes: ControlPlaneRouteGroup {
    /// The content type of the Prometheus text exposition format.
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    func addRoutes(to router: RouterGroup<ControlPlaneRequestContext>, server: ControlPlaneServer) {
        let manager = server.manager
        let bot = server.botStatus
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in
            let readiness = await Readiness.check(manager, bot: bot)
            return Response(
                status: readiness.isReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: readiness.json()))
            )
        }
        router.get("/metrics") { _, _ in
            // Gauges of current state are read now rather than tracked on every change, so they
            // cannot drift from the manager's own records.
            manager.metrics.update(sessions: await manager.statusCounts(), watchers: await manager.watcherCount())
            if let replica = await manager.replicaSummary { manager.metrics.update(sessionsHeld: replica.sessionsHeld) }
            return Response(
                status: .ok,
                headers: [.contentType: Self.prometheusContentType],
                body: .init(byteBuffer: ByteBuffer(string: manager.metrics.exposition()))
            )
        }
    }
}
