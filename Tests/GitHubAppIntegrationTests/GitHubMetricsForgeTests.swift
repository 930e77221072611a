import CoreMetrics
import Foundation
import GitHubApp
import MetricsTestKit
import Testing
import TestSupport

/// What the broker and its client count, checked against the forge's own counters: each test
/// hands its broker a private swift-metrics factory, as the control plane hands its registry.
@Suite("GitHub metrics against the forge")
struct GitHubMetricsForgeTests {
    static let repos = ["demo/hello", "demo/widgets", "other/tools"]

    @Test func mintsAndRevocationsMatchTheForge() async throws {
        let metrics = TestMetrics()
        let fixture = try await BrokerFixture.start(repos: Self.repos, metrics: GitHubMetrics(factory: metrics))
        let tokens = try await fixture.broker.lease(session: "s-count", repositories: try fixture.repos("demo/hello", "demo/widgets", "other/tools"), access: .read)
        #expect(tokens.count == 2, "two installations")
        #expect(metrics.counterTotal(label: GitHubMetrics.tokenMints) == 2)
        #expect(metrics.counterTotal(label: GitHubMetrics.tokenRevocations) == 0)
        await fixture.broker.revoke(session: "s-count")
        #expect(metrics.counterTotal(label: GitHubMetrics.tokenRevocations) == 2)
        let stats = try await fixture.forge.stats()
        #expect(Int64(stats.mints) == metrics.counterTotal(label: GitHubMetrics.tokenMints))
        #expect(Int64(stats.revocations) == metrics.counterTotal(label: GitHubMetrics.tokenRevocations))
        #expect(metrics.counterTotal(label: GitHubMetrics.tokenRefreshes) == 0)
        // Every HTTP exchange is timed: two lookups, two mints, two revocations.
        let timings = try metrics.expectTimer(GitHubMetrics.requestDuration).values
        #expect(timings.count == stats.apiRequests, "\(timings.count) timings for \(stats.apiRequests) requests")
        #expect(timings.allSatisfy { $0 > 0 })
        #expect(metrics.counters(label: GitHubMetrics.apiErrors).isEmpty, "no errors, no error series")
        await fixture.finish(tokens: tokens)
    }

    @Test func errorsAreCountedByKindOncePerCall() async throws {
        let metrics = TestMetrics()
        let fixture = try await BrokerFixture.start(
            repos: Self.repos, uninstalledRepos: ["outsider/secret"],
            retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), budget: .seconds(5)),
            metrics: GitHubMetrics(factory: metrics)
        )
        let missing = await #expect(throws: GitHubError.self) {
            try await fixture.broker.lease(session: "s-missing", repositories: try fixture.repos("outsider/secret"), access: .read)
        }
        #expect(missing?.kind == .notFound)
        #expect(metrics.counterTotal(label: GitHubMetrics.apiErrors, dimensions: [("kind", "notFound")]) == 1)

        try await fixture.forge.injectFault(status: 503, count: 10, pathPrefix: "/repos")
        let down = await #expect(throws: GitHubError.self) {
            try await fixture.broker.lease(session: "s-down", repositories: try fixture.repos("demo/hello"), access: .read)
        }
        #expect(down?.kind == .unavailable)
        #expect(metrics.counterTotal(label: GitHubMetrics.apiErrors, dimensions: [("kind", "unavailable")]) == 1, "three attempts, one failed call")
        #expect(metrics.counterTotal(label: GitHubMetrics.tokenMints) == 0)
        let stats = try await fixture.forge.stats()
        #expect(try metrics.expectTimer(GitHubMetrics.requestDuration).values.count == stats.apiRequests, "each attempt is timed")
        await fixture.finish(tokens: [])
    }
}
