import Foundation

/// Everything needed to act as the GitHub App: its ID, its private key, where GitHub is, and the
/// installation to fall back on.
///
/// Loaded from `GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY_B64` or `GITHUB_APP_PRIVATE_KEY_PATH`,
/// `GITHUB_INSTALLATION_ID`, `GITHUB_API_URL` and `GITHUB_WEB_URL`. The key stays in this process:
/// the value is never printed (see ``AppPrivateKey``).
public struct GitHubAppConfiguration: Sendable {
    /// The JWT issuer: the numeric App ID or the App's client ID.
    public let appID: String
    public let privateKey: AppPrivateKey
    /// Used for the owner whose account this installation belongs to, saving a lookup.
    public let defaultInstallationID: Int?
    public let endpoints: GitHubEndpoints

    public init(appID: String, privateKey: AppPrivateKey, defaultInstallationID: Int? = nil, endpoints: GitHubEndpoints = .init()) {
        self.appID = appID
        self.privateKey = privateKey
        self.defaultInstallationID = defaultInstallationID
        self.endpoints = endpoints
    }

    /// Reads the App settings. Missing ones are all named at once, so a user fixes them in one go.
    public init(settings: EnvironmentSettings) throws(GitHubError) {
        let endpoints = try GitHubEndpoints(settings: settings)
        var missing: [String] = []
        let appID = settings["GITHUB_APP_ID"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        if appID == nil { missing.append("GITHUB_APP_ID") }
        let base64Key = settings["GITHUB_APP_PRIVATE_KEY_B64"]
        let keyPath = settings["GITHUB_APP_PRIVATE_KEY_PATH"]
        if base64Key == nil && keyPath == nil {
            missing.append("GITHUB_APP_PRIVATE_KEY_B64 (or GITHUB_APP_PRIVATE_KEY_PATH)")
        }
        guard let appID, missing.isEmpty else { throw .notConfigured(missing: missing) }

        let privateKey: AppPrivateKey
        if let base64Key {
            privateKey = try AppPrivateKey(base64PEM: base64Key)
        } else {
            privateKey = try AppPrivateKey(contentsOfFile: keyPath!)
        }

        var installationID: Int?
        if let text = settings["GITHUB_INSTALLATION_ID"] {
            guard let id = Int(text.trimmingCharacters(in: .whitespaces)), id > 0 else {
                throw .invalidSetting(name: "GITHUB_INSTALLATION_ID", reason: "must be a positive number, got \"\(text)\"")
            }
            installationID = id
        }
        self.init(appID: appID, privateKey: privateKey, defaultInstallationID: installationID, endpoints: endpoints)
    }
}
