import SwiftProtobuf
import GitHubApp
import Logging

/// The control plane's access to GitHub: a token broker when the App is configured, or the reason
/// it is not. Sessions without repositories work either way.
public enum GitHubAccess: Sendable {
    case configured(TokenBroker, GitHubEndpoints)
    case notConfigured(GitHubError, GitHubEndpoints)

    /// Reads the App settings. Missing settings leave GitHub unconfigured (the server still starts);
    /// settings that are present but unusable (a broken key, a bad URL) are an error, so a typo is
    /// never silently ignored.
    ///
    /// `metrics` receives the broker's token counts and its GitHub API errors and timings (by
    /// default the process-wide swift-metrics factory, which records nothing unless bootstrapped).
    public static func load(settings: EnvironmentSettings, brokerOptions: TokenBroker.Options = .init(), metrics: GitHubMetrics = .init(), logger: Logger) throws(GitHubError) -> GitHubAccess {
        let endpoints = try GitHubEndpoints(settings: settings)
        do {
            let configuration = try GitHubAppConfiguration(settings: settings)
            let broker = TokenBroker(configuration: configuration, options: brokerOptions, clientOptions: .init(metrics: metrics), logger: logger)
            return .configured(broker, endpoints)
        } catch let error where error.kind == .notConfigured {
            return .notConfigured(error, endpoints)
        }
    }

    public var endpoints: GitHubEndpoints {
        switch self {
        case .configured(_, let endpoints), .notConfigured(_, let endpoints): endpoints
        }
    }

    /// The broker, when the App is configured (the GitHub bot mints its own tokens through its client).
    public var broker: TokenBroker? {
        if case .configured(let broker, _) = self { return broker }
        return nil
    }
}
