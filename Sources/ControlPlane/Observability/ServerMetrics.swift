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
    static var takeovers: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "replica_takeovers", unitName: "total",
                             helpText: "Sessions this replica took over from a replica that stopped renewing its lease (or let go).")
    }
    static var relinquished: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "replica_sessions_lost", unitName: "total",
                             helpText: "Sessions this replica stopped running because another replica took their lease.")
    }
    static var forwarded: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "replica_forwarded_calls", unitName: "total",
                             helpText: "API calls this replica forwarded to the replica running their session.")
    }
    static var held: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "netclode", metricName: "replica_sessions_held", unitName: "",
                             helpText: "Sessions whose lease this replica holds, counted when scraped.")
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

    func recordTakeover() {
        registry.makeCounter(descriptor: Self.takeovers).increment()
    }

    func recordRelinquished() {
        registry.makeCounter(descriptor: Self.relinquished).increment()
    }

    func recordForwarded(method: String) {
        registry.makeCounter(descriptor: Self.forwarded, labels: [("rpc", method)]).increment()
    }

    func update(sessionsHeld: Int) {
        registry.makeGauge(descriptor: Self.held).set(to: Double(sessionsHeld))
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
