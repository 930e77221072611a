import Foundation
import Testing
@testable import GitHubApp

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(2))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func decide(_ status: Int, _ headers: [String: String] = [:], attempt: Int = 1, tokenAge: Duration? = nil) -> RetryPolicy.Decision {
        let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        return policy.decision(status: status, header: { lowered[$0.lowercased()] }, attempt: attempt, tokenAge: tokenAge, now: now)
    }

    @Test(arguments: [500, 502, 503, 504])
    func serverErrorsAreRetried(status: Int) {
        guard case .retry = decide(status) else { Issue.record("\(status) not retried"); return }
    }

    @Test(arguments: [200, 201, 204, 400, 404, 422])
    func definiteAnswersAreNot(status: Int) {
        #expect(decide(status) == .doNotRetry)
    }

    @Test func secondaryRateLimitHonoursRetryAfter() {
        #expect(decide(429, ["Retry-After": "3"]) == .rateLimited(wait: .seconds(3), resetAt: now.addingTimeInterval(3)))
        #expect(decide(403, ["retry-after": "1"]) == .rateLimited(wait: .seconds(1), resetAt: now.addingTimeInterval(1)))
        guard case .retry = decide(429) else { Issue.record("bare 429 not retried"); return }
    }

    @Test func primaryRateLimitWaitsForReset() {
        let reset = now.addingTimeInterval(20)
        #expect(decide(403, ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "\(Int(reset.timeIntervalSince1970))"])
            == .rateLimited(wait: .seconds(21), resetAt: reset))
        #expect(decide(403, ["x-ratelimit-remaining": "12"]) == .doNotRetry, "a plain 403 is a permission answer")
    }

    @Test func unauthorizedIsRetriedOnlyForFreshTokens() {
        guard case .retry = decide(401, tokenAge: .seconds(2)) else { Issue.record("fresh-token 401 not retried"); return }
        #expect(decide(401, tokenAge: .seconds(60)) == .doNotRetry)
        #expect(decide(401) == .doNotRetry)
    }

    @Test func backoffGrowsWithJitterAndIsCapped() {
        for attempt in 1...10 {
            let step = min(100 * (1 << (attempt - 1)), 2000)
            for _ in 0..<50 {
                let delay = policy.backoff(attempt: attempt).milliseconds
                #expect(delay >= Int64(step / 2) && delay <= Int64(step), "attempt \(attempt): \(delay) ms")
            }
        }
    }
}

@Suite("Link header")
struct LinkHeaderTests {
    @Test func findsRelations() {
        let header = #"<https://api.github.com/installation/repositories?per_page=2&page=2>; rel="next", <https://api.github.com/installation/repositories?per_page=2&page=5>; rel="last""#
        #expect(LinkHeader.url(in: header, relation: "next") == "https://api.github.com/installation/repositories?per_page=2&page=2")
        #expect(LinkHeader.url(in: header, relation: "last") == "https://api.github.com/installation/repositories?per_page=2&page=5")
        #expect(LinkHeader.url(in: header, relation: "prev") == nil)
        #expect(LinkHeader.url(in: "garbage", relation: "next") == nil)
    }
}
