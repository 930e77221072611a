import Foundation
import GitHubApp
import Logging

/// The GitHub App, as far as GitHub (or the forge: only `GITHUB_API_URL` differs) sees it:
/// the settings are present and the key loads; GitHub accepts a JWT signed with it (`GET /app`);
/// each installation (`GET /app/installations`) answers a token request and grants the
/// permissions Netclode needs (``InstallationPermissions``). Each installation is reached with a
/// `metadata: read` listing token, which can neither clone nor push and is revoked at once.
struct GitHubAppCheck: DoctorCheck {
    let environment: EnvironmentSettings
    let botEnabled: Bool
    let logger: Logger

    static let settingsSubject = "GitHub App settings"
    static let jwtSubject = "GitHub accepts the App JWT"
    static let installationsSubject = "GitHub App installations"

    func run() async -> [DoctorFinding] {
        let configuration: GitHubAppConfiguration
        do {
            configuration = try GitHubAppConfiguration(settings: environment)
        } catch {
            return [
                .failed(Self.settingsSubject, error.message, fix: Self.fix(for: error, endpoints: nil)),
                .notChecked(Self.jwtSubject, because: "no usable App settings"),
                .notChecked(Self.installationsSubject, because: "no usable App settings"),
            ]
        }
        let endpoints = configuration.endpoints
        let keySource = environment["GITHUB_APP_PRIVATE_KEY_B64"] != nil ? "GITHUB_APP_PRIVATE_KEY_B64" : "GITHUB_APP_PRIVATE_KEY_PATH"
        var findings: [DoctorFinding] = [.passed(Self.settingsSubject,
            "App \(configuration.appID), private key from \(keySource) (RSA \(configuration.privateKey.keySizeInBits) bits), API \(endpoints.apiURL.absoluteString)")]

        // A doctor should answer quickly: two attempts, not the server's patient retry budget.
        let client = GitHubAPIClient(
            configuration: configuration,
            options: .init(requestTimeout: .seconds(10), retry: RetryPolicy(maxAttempts: 2, budget: .seconds(20))),
            logger: logger)
        do {
            let app = try await client.app()
            findings.append(.passed(Self.jwtSubject, "GET /app answered: \(app.name) (\(app.slug), id \(app.id))"))
        } catch {
            findings.append(.failed(Self.jwtSubject, error.message, fix: Self.fix(for: error, endpoints: endpoints)))
            findings.append(.notChecked(Self.installationsSubject, because: "GET /app did not succeed"))
            return findings
        }

        let installations: [Installation]
        do {
            installations = try await client.installations()
        } catch {
            findings.append(.failed(Self.installationsSubject, error.message, fix: Self.fix(for: error, endpoints: endpoints)))
            return findings
        }
        guard !installations.isEmpty else {
            findings.append(.failed(Self.installationsSubject, "the App is not installed anywhere",
                                    fix: "install it on the accounts whose repositories sessions use: the App's page → Install App"))
            return findings
        }
        if let wanted = configuration.defaultInstallationID, !installations.contains(where: { $0.id == wanted }) {
            let known = installations.map { "\($0.id) (\($0.account?.login ?? "?"))" }.joined(separator: ", ")
            findings.append(.failed(Self.installationsSubject, "GITHUB_INSTALLATION_ID=\(wanted) is not an installation of this App; it has \(known)",
                                    fix: "set GITHUB_INSTALLATION_ID to one of those, or unset it (installations are looked up per owner)"))
        }
        for installation in installations {
            findings.append(await check(installation, client: client, endpoints: endpoints))
        }
        return findings
    }

    /// One installation: a listing token is minted (so the installation answers token requests:
    /// not suspended, the App still installed), its repositories counted (one request), the token revoked.
    private func check(_ installation: Installation, client: GitHubAPIClient, endpoints: GitHubEndpoints) async -> DoctorFinding {
        let owner = installation.account?.login ?? "?"
        let subject = "installation \(installation.id) on \(owner)"
        let settingsURL = installation.htmlURL ?? endpoints.installationsSettingsURL
        let repositories: Int
        do throws(GitHubError) {
            let token = try await client.createListingToken(installationID: installation.id, owner: owner)
            do {
                repositories = try await client.repositoryCount(accessibleWith: token)
            } catch {
                try? await client.revoke(token)
                throw error
            }
            try? await client.revoke(token)
        } catch {
            return .failed(subject, "cannot mint a token for it: \(error.message)",
                           fix: "check the installation at \(settingsURL) (suspended? removed?); " + Self.fix(for: error, endpoints: endpoints))
        }
        let permissions = InstallationPermissions(granted: installation.permissions ?? [:], botEnabled: botEnabled)
        let count = repositories == 1 ? "1 repository" : "\(repositories) repositories"
        let scope = installation.repositorySelection == "all" ? "all repositories (\(count))" : "\(count) selected"
        let detail = "\(scope); grants \(permissions.summary)"
        let missing = permissions.missing
        guard missing.isEmpty else {
            let needs = missing.map(InstallationPermissions.wording).joined(separator: ", ")
            let why = missing.contains(where: \.forBot) ? "sessions and the bot need" : "sessions need"
            return .failed(subject, "\(detail) — missing \(needs), which \(why)",
                           fix: "grant \(needs) in the App's settings (Permissions & events), then accept the new permissions on the installation at \(settingsURL)")
        }
        return .passed(subject, detail)
    }

    /// What to do about a GitHub error, by kind.
    static func fix(for error: GitHubError, endpoints: GitHubEndpoints?) -> String {
        let api = endpoints?.apiURL.absoluteString ?? GitHubEndpoints.defaultAPIURL.absoluteString
        switch error {
        case .notConfigured:
            return "set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_B64 (`base64 -w0 app.pem`) or GITHUB_APP_PRIVATE_KEY_PATH "
                + "in the environment or .env; docs/github-app.md shows where to find them"
        case .invalidSetting(let name, _):
            return "correct \(name) (GitHub Enterprise Server: GITHUB_API_URL=https://HOST/api/v3, GITHUB_WEB_URL=https://HOST)"
        case .invalidPrivateKey:
            return "set GITHUB_APP_PRIVATE_KEY_B64=$(base64 -w0 app.pem) with the .pem GitHub downloaded, "
                + "or generate a new key on the App's page (Private keys → Generate a private key)"
        case .badCredentials:
            return "GITHUB_APP_ID must be the App ID (or client ID) of the App the key belongs to (the App's page, General); "
                + "a deleted key is refused (generate a new one); the clock must be right within a minute (check `date -u`)"
        case .rateLimited:
            return "wait until the rate limit resets, then run netclode doctor again"
        case .unavailable:
            return "check that this machine reaches \(api) (GITHUB_API_URL; DNS, firewall, proxy) and try again"
        case .repositoryNotFound, .notAccessibleByIntegration, .permissionNotGranted:
            return "add the repositories and permissions to the App installation"
        case .unexpectedResponse:
            return "check that GITHUB_API_URL (\(api)) is GitHub's REST API (GitHub Enterprise Server: https://HOST/api/v3)"
        }
    }
}
