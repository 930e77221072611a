import ControlPlane
import GitHubApp

/// The GitHub bot's settings. Without `GITHUB_WEBHOOK_SECRET` the bot is off: its endpoint does
/// not exist (404) and `/readyz` says why. There is no way to run it unsigned.
public struct BotSettings: Sendable {
    /// `GITHUB_WEBHOOK_SECRET`, then `GITHUB_WEBHOOK_SECRET_PREVIOUS` while a rotation is under way.
    public var secrets: [String]
    /// `NETCLODE_BOT_MENTION`: the handle to answer to; default the App's slug.
    public var mention: String?
    /// `NETCLODE_BOT_MAX_CONCURRENT`: runs at once across all conversations.
    public var maxConcurrentRuns: Int
    /// `NETCLODE_BOT_MAX_QUEUED`: runs that may wait; beyond that a request is answered "too busy".
    public var maxQueuedRuns: Int
    /// `NETCLODE_BOT_RUNS_PER_ISSUE_PER_HOUR`: a loop breaker.
    public var runsPerConversationPerHour: Int
    /// `NETCLODE_BOT_RUN_TIMEOUT` (seconds): the agent's run.
    public var runTimeout: Duration
    /// `NETCLODE_BOT_SESSION_RETENTION` (seconds): how long a finished run's session is kept
    /// (paused) before it is deleted.
    public var sessionRetention: Duration

    public static let maximumBodyBytes = 25 << 20

    public init(secrets: [String], mention: String? = nil, maxConcurrentRuns: Int = 2, maxQueuedRuns: Int = 20,
                runsPerConversationPerHour: Int = 5, runTimeout: Duration = .seconds(30 * 60), sessionRetention: Duration = .seconds(24 * 3600)) {
        self.secrets = secrets
        self.mention = mention
        self.maxConcurrentRuns = maxConcurrentRuns
        self.maxQueuedRuns = maxQueuedRuns
        self.runsPerConversationPerHour = runsPerConversationPerHour
        self.runTimeout = runTimeout
        self.sessionRetention = sessionRetention
    }

    /// nil when the bot is off (no secret).
    public init?(settings: EnvironmentSettings) throws(ControlPlaneError) {
        guard let secret = settings["GITHUB_WEBHOOK_SECRET"], !secret.isEmpty else { return nil }
        guard secret.count >= 16 else {
            throw .invalidArgument("GITHUB_WEBHOOK_SECRET is \(secret.count) characters; use at least 16 random ones (e.g. openssl rand -hex 32)")
        }
        let previous = settings["GITHUB_WEBHOOK_SECRET_PREVIOUS"].flatMap { $0.isEmpty ? nil : $0 }
        func count(_ name: String, _ range: ClosedRange<Int>, _ fallback: Int) throws(ControlPlaneError) -> Int {
            try ControlPlaneSettings.parseCount(settings[name], name: name, range: range, default: fallback)
        }
        self.init(
            secrets: [secret] + [previous].compactMap { $0 },
            mention: settings["NETCLODE_BOT_MENTION"].flatMap { $0.isEmpty ? nil : $0 },
            maxConcurrentRuns: try count("NETCLODE_BOT_MAX_CONCURRENT", 1...64, 2),
            maxQueuedRuns: try count("NETCLODE_BOT_MAX_QUEUED", 0...10_000, 20),
            runsPerConversationPerHour: try count("NETCLODE_BOT_RUNS_PER_ISSUE_PER_HOUR", 1...1000, 5),
            runTimeout: .seconds(try count("NETCLODE_BOT_RUN_TIMEOUT", 10...(24 * 3600), 30 * 60)),
            sessionRetention: .seconds(try count("NETCLODE_BOT_SESSION_RETENTION", 0...(90 * 24 * 3600), 24 * 3600)))
    }
}
