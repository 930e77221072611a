/// What the broker tells a session's owner about its tokens between leases.
public enum TokenRenewal: Sendable {
    /// Fresh tokens replaced the old ones ahead of their expiry. The handler should deliver them
    /// (e.g. to the session's agent) before returning: the old tokens are revoked as soon as it does.
    /// If the handler throws, the new tokens are revoked and the old ones stay in force until the
    /// next attempt.
    case renewed([InstallationToken])
    /// A refresh failed; the broker tries again after `retryIn`. The old tokens still work until
    /// they expire.
    case failed(GitHubError, retryIn: Duration)
}

/// Thrown by a renewal handler that finds, at the moment of delivery, that the renewed lease was
/// replaced meanwhile (see ``TokenBroker/isCurrent(_:session:)``): the broker revokes the fresh
/// tokens without counting a failed refresh.
public struct TokenRenewalSuperseded: Error, Sendable {
    public init() {}
}
