/// A scripted failure for the next `count` API requests (`POST /_forge/faults`), so clients'
/// retry, backoff and rate-limit handling can be tested against real HTTP.
struct FaultPlan: Sendable, Equatable {
    var remaining: Int
    /// The status to answer with; `nil` means "only delay, then answer normally".
    var status: Int?
    /// Seconds for a `retry-after` header (secondary rate limit).
    var retryAfter: Int?
    /// Epoch seconds for `x-ratelimit-reset` with `x-ratelimit-remaining: 0` (primary rate limit).
    var rateLimitReset: Int?
    var delayMilliseconds: Int?
    /// Drop the TCP connection with a reset (RST, no response at all), as a broken proxy or a
    /// network fault does to GitHub clients; applied after any delay.
    var resetConnection: Bool
    /// Only requests whose path starts with this are affected.
    var pathPrefix: String?

    func applies(to path: String) -> Bool {
        remaining > 0 && (pathPrefix.map { path.hasPrefix($0) } ?? true)
    }

    /// Parses the control request body; `nil` when it makes no sense.
    init?(json: JSONValue) {
        guard let count = json["count"]?.intValue, count > 0 else { return nil }
        remaining = count
        status = json["status"]?.intValue
        retryAfter = json["retryAfter"]?.intValue
        rateLimitReset = json["rateLimitReset"]?.intValue
        delayMilliseconds = json["delayMs"]?.intValue
        pathPrefix = json["pathPrefix"]?.stringValue
        resetConnection = json["reset"] == .bool(true)
        if let status, !(100...599).contains(status) { return nil }
        if resetConnection && status != nil { return nil }
        if status == nil && delayMilliseconds == nil && !resetConnection { return nil }
    }
}
