import ConnectRPC
import GitHubApp
import Prometheus

/// The metrics of one control plane, in its own Prometheus registry, served at `/metrics`.
///
/// One registry per server rather than a process-wide `MetricsSystem.bootstrap`: tests run many
/// servers in one process, and a global backend can be bootstrapped only once. GitHub-side counts
/// (token mints, refreshes, revocations, API errors and latency) come in through ``github``, which
/// `GitHubAccess.load(…, metrics:)` hands to the token broker's client.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Pass this to `GitHubAccess.load(settings:metrics:logger:)` so GitHub's counts land here.
    public let github: GitHubMetrics
    private let sessionGauges: [SessionStatus: Gauge]
    private let watcherGauge: Gauge
    private let cloneDurations: DurationHistogram

    static var sessions: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "sessions", unitName: "",
                             helpText: "Sessions by status, counted when scraped.")
    }
    static var watchers: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "watchers", unitName: "",
                             helpText: "Open WatchSession streams.")
    }
    static var clones: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "clone_duration", unitName: "seconds",
                             helpText: "Time from a repository clone's starting event to its done event.")
    }
    static var apiRequests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "api_requests", unitName: "total",
                             helpText: "Connect API calls by method and outcome (code ok for success).")
    }

    /// Clones take from a fraction of a second (a tiny repo from a local forge) to many minutes.
    static let cloneBuckets: [Duration] = [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600].map { .milliseconds(Int64($0 * 1000)) }

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        github = GitHubMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var gauges: [SessionStatus: Gauge] = [:]
        for status in SessionStatus.allCases {
            gauges[status] = registry.makeGauge(descriptor: Self.sessions, labels: [("status", status.rawValue)])
        }
        sessionGauges = gauges
        watcherGauge = registry.makeGauge(descriptor: Self.watchers)
        cloneDurations = registry.makeDurationHistogram(descriptor: Self.clones, buckets: Self.cloneBuckets)
    }

    /// Sets the point-in-time gauges; every status is set, so one that emptied reads 0.
    func update(sessions counts: [SessionStatus: Int], watchers: Int) {
        for (status, gauge) in sessionGauges { gauge.set(to: Double(counts[status] ?? 0)) }
        watcherGauge.set(to: Double(watchers))
    }

    func recordClone(_ duration: Duration) {
        cloneDurations.record(duration)
    }

    /// The Prometheus text exposition of everything in the registry.
    public func exposition() -> String {
        registry.emitToString()
    }
}

extension ServerMetrics: ConnectCallObserver {
    /// One series per method and code, created on first use.
    public func connectCallFinished(method: String, code: ConnectError.Code?) {
        registry.makeCounter(descriptor: Self.apiRequests, labels: [("rpc", method), ("code", code?.rawValue ?? "ok")]).increment()
    }
}
