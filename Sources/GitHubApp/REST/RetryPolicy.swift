import Foundation

/// When and how long to wait before asking GitHub again.
///
/// Retried: 5xx answers, connection errors and timeouts, 429 and secondary rate limits (honouring
/// `retry-after`), the primary rate limit (`x-ratelimit-remaining: 0`, waiting until
/// `x-ratelimit-reset` when that is within the budget), and a 401 in the first seconds after a mint
/// (new tokens take a moment to be accepted everywhere). Backoff is exponential with jitter, and the
/// whole exchange has a time budget, after which the caller gets a typed error instead of a hang.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Total time an operation may spend, waits included.
    public var budget: Duration
    /// A 401 for a token younger than this is retried.
    public var freshTokenGrace: Duration

    public init(
        maxAttempts: Int = 5,
        baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(8),
        budget: Duration = .seconds(30),
        freshTokenGrace: Duration = .seconds(10)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.budget = budget
        self.freshTokenGrace = freshTokenGrace
    }

    /// What to do about one answer.
    enum Decision: Equatable {
        case retry(after: Duration)
        /// A rate limit: retry after the wait if it fits the budget, else fail with `rateLimited`.
        case rateLimited(wait: Duration, resetAt: Date?)
        case doNotRetry
    }

    /// Decides from a status and its headers (names looked up case-insensitively by `header`).
    /// `attempt` counts from 1; `tokenAge` is set when the request used a freshly minted token.
    func decision(status: Int, header: (String) -> String?, attempt: Int, tokenAge: Duration?, now: Date = Date()) -> Decision {
        if status == 403 || status == 429 {
            if let retryAfter = header("retry-after").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
                return .rateLimited(wait: .milliseconds(Int64(max(retryAfter, 0) * 1000)), resetAt: now.addingTimeInterval(retryAfter))
            }
            if header("x-ratelimit-remaining")?.trimmingCharacters(in: .whitespaces) == "0",
               let reset = header("x-ratelimit-reset").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
                let resetAt = Date(timeIntervalSince1970: reset)
                let wait = max(resetAt.timeIntervalSince(now), 0) + 1
                return .rateLimited(wait: .milliseconds(Int64(wait * 1000)), resetAt: resetAt)
            }
            return status == 429 ? .retry(after: backoff(attempt: attempt)) : .doNotRetry
        }
        if (500...599).contains(status) { return .retry(after: backoff(attempt: attempt)) }
        if status == 401, let tokenAge, tokenAge < freshTokenGrace { return .retry(after: backoff(attempt: attempt)) }
        return .doNotRetry
    }

    /// Exponential backoff with "equal jitter": half the step is fixed, half is random, so retries of
    /// many sessions spread out but never collapse to zero.
    func backoff(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 16)
        let step = min(baseDelay * (1 << exponent), maxDelay)
        let milliseconds = Double(step.components.seconds) * 1000 + Double(step.components.attoseconds) / 1e15
        return .milliseconds(Int64(milliseconds / 2 + Double.random(in: 0...(milliseconds / 2))))
    }
}
