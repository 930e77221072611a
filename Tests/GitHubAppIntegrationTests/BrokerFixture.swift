import Foundation
import GitHubApp
import Logging
import Testing
import TestSupport

/// A running forge plus a broker configured against it exactly as against github.com: only
/// `GITHUB_API_URL` / `GITHUB_WEB_URL` point elsewhere.
struct BrokerFixture {
    let forge: ForgeProcess
    let configuration: GitHubAppConfiguration
    let logs: LogCapture
    let broker: TokenBroker
    let workspace: TemporaryDirectory

    var webURL: URL { configuration.endpoints.webURL }

    static func start(
        repos: [String],
        uninstalledRepos: [String] = [],
        tokenTTL: Int? = nil,
        brokerOptions: TokenBroker.Options = .init(),
        retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(50), budget: .seconds(10)),
        defaultInstallationOwner: String? = nil,
        metrics: GitHubMetrics = .init()
    ) async throws -> BrokerFixture {
        let forge = try await ForgeProcess.start(repos: repos, uninstalledRepos: uninstalledRepos, tokenTTL: tokenTTL)
        do {
            var environment = [
                "GITHUB_APP_ID": "\(forge.appID)",
                "GITHUB_APP_PRIVATE_KEY_PATH": forge.privateKeyPath,
                "GITHUB_API_URL": forge.baseURL.absoluteString,
                "GITHUB_WEB_URL": forge.baseURL.absoluteString,
            ]
            if let owner = defaultInstallationOwner, let id = forge.installationIDs[owner] {
                environment["GITHUB_INSTALLATION_ID"] = "\(id)"
            }
            let configuration = try GitHubAppConfiguration(settings: EnvironmentSettings(environment))
            let logs = LogCapture()
            let broker = TokenBroker(
                configuration: configuration, options: brokerOptions,
                clientOptions: .init(requestTimeout: .seconds(30), retry: retry, metrics: metrics),
                logger: logs.logger(label: "broker")
            )
            return BrokerFixture(forge: forge, configuration: configuration, logs: logs, broker: broker, workspace: try TemporaryDirectory())
        } catch {
            await forge.stop()
            throw error
        }
    }

    func repo(_ text: String) throws -> RepositoryReference {
        try RepositoryReference.parse(text, webURL: webURL)
    }

    func repos(_ texts: String...) throws -> [RepositoryReference] {
        try texts.map(repo)
    }

    func cloneURL(_ text: String) throws -> String {
        try repo(text).cloneURL(webURL: webURL).absoluteString
    }

    /// Runs git with the token as GitHub expects it over HTTPS (user `x-access-token`), from
    /// `directory` (the workspace by default). No credential helper or config of the machine is used.
    func git(_ arguments: [String], token: InstallationToken?, in directory: URL? = nil) async throws -> ProcessResult {
        var prefix = ["-c", "credential.helper=", "-c", "user.name=Netclode Test", "-c", "user.email=test@netclode.invalid"]
        if let token {
            let basic = Data("x-access-token:\(token.secret)".utf8).base64EncodedString()
            prefix += ["-c", "http.extraHeader=Authorization: Basic \(basic)"]
        }
        return try await Git.run(prefix + arguments, in: directory ?? workspace.url)
    }

    /// Asserts that nothing logged by the broker contains a token or key material, then stops everything.
    func finish(tokens: [InstallationToken], sourceLocation: SourceLocation = #_sourceLocation) async {
        let text = logs.text
        for token in tokens {
            #expect(!text.contains(token.secret), "a token reached the logs", sourceLocation: sourceLocation)
        }
        #expect(!text.contains("PRIVATE KEY"), sourceLocation: sourceLocation)
        await broker.shutdown()
        await forge.stop()
        workspace.remove()
    }
}

/// Collects the tokens a broker hands out on renewal, and when.
actor RenewalRecorder {
    private(set) var renewals: [[InstallationToken]] = []
    private(set) var renewedAt: [Date] = []
    private(set) var failures: [GitHubError] = []

    func record(_ renewal: TokenRenewal) {
        switch renewal {
        case .renewed(let tokens):
            renewals.append(tokens)
            renewedAt.append(Date())
        case .failed(let error, _): failures.append(error)
        }
    }

    var latest: [InstallationToken]? { renewals.last }

    /// The first renewal and when it was delivered, waiting for it up to `timeout` (nil if none came).
    func firstRenewal(within timeout: Duration) async -> (tokens: [InstallationToken], at: Date)? {
        let deadline = ContinuousClock.now + timeout
        while renewals.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard let tokens = renewals.first, let at = renewedAt.first else { return nil }
        return (tokens, at)
    }
}
