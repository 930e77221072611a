import CoreMetrics

/// What the GitHub side of Netclode counts: installation tokens minted, refreshed and revoked,
/// GitHub API errors by ``GitHubError/Kind``, and how long each GitHub request takes.
///
/// It records through the swift-metrics API only, so this module never depends on a particular
/// backend. The factory is passed in rather than taken from a global bootstrap, so that several
/// servers in one process (as in tests) each count into their own registry. The default is
/// `MetricsSystem.factory`, which records nothing unless the process bootstrapped a backend.
public struct GitHubMetrics: Sendable {
    public static let tokenMints = "netclode_token_mints_total"
    public static let tokenRefreshes = "netclode_token_refreshes_total"
    public static let tokenRevocations = "netclode_token_revocations_total"
    public static let apiErrors = "netclode_github_api_errors_total"
    public static let requestDuration = "netclode_github_api_request_duration_seconds"

    private let factory: any MetricsFactory
    /// Tokens minted for a new lease or an access change.
    private let mints: Counter
    /// Tokens minted to replace ones about to expire.
    private let refreshes: Counter
    /// Tokens GitHub confirmed revoked.
    private let revocations: Counter
    /// One sample per HTTP attempt (a retried request records each attempt).
    private let requestDuration: CoreMetrics.Timer

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        mints = Counter(label: Self.tokenMints, factory: factory)
        refreshes = Counter(label: Self.tokenRefreshes, factory: factory)
        revocations = Counter(label: Self.tokenRevocations, factory: factory)
        requestDuration = CoreMetrics.Timer(label: Self.requestDuration, factory: factory)
    }

    /// Counts a token the broker minted: `refresh` when it replaces one about to expire.
    func minted(refresh: Bool) {
        (refresh ? refreshes : mints).increment()
    }

    /// Counts a token GitHub confirmed revoked.
    func revoked() {
        revocations.increment()
    }

    /// Records how long one HTTP exchange with GitHub took.
    func requestTook(_ duration: Duration) {
        let parts = duration.components
        requestDuration.recordNanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    /// Counts a GitHub API call that ended in `error`. The counter of a kind appears on its first
    /// error, so an idle server exports no empty series for kinds that never happened.
    func apiError(_ error: GitHubError) {
        Counter(label: Self.apiErrors, dimensions: [("kind", error.kind.rawValue)], factory: factory).increment()
    }
}
