import Foundation

/// Where GitHub lives: the REST API base and the web base that clone URLs are built on.
///
/// github.com by default; GitHub Enterprise Server uses `https://HOST/api/v3` and `https://HOST`.
/// The local forge is reached the same way, which is the only thing that makes it usable: nothing
/// else in Netclode knows it exists.
public struct GitHubEndpoints: Sendable, Equatable {
    public static let defaultAPIURL = URL(string: "https://api.github.com")!
    public static let defaultWebURL = URL(string: "https://github.com")!

    public let apiURL: URL
    public let webURL: URL

    public init(apiURL: URL = GitHubEndpoints.defaultAPIURL, webURL: URL = GitHubEndpoints.defaultWebURL) {
        self.apiURL = apiURL.withoutTrailingSlash
        self.webURL = webURL.withoutTrailingSlash
    }

    /// Reads `GITHUB_API_URL` and `GITHUB_WEB_URL`; both must be absolute http(s) URLs.
    public init(settings: EnvironmentSettings) throws(GitHubError) {
        self.init(
            apiURL: try Self.url(settings, "GITHUB_API_URL") ?? Self.defaultAPIURL,
            webURL: try Self.url(settings, "GITHUB_WEB_URL") ?? Self.defaultWebURL
        )
    }

    /// `<web URL>/settings/installations`: where a user adds repositories to the App's installation.
    public var installationsSettingsURL: String {
        webURL.absoluteString + "/settings/installations"
    }

    private static func url(_ settings: EnvironmentSettings, _ name: String) throws(GitHubError) -> URL? {
        guard let text = settings[name] else { return nil }
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              url.host != nil
        else {
            throw .invalidSetting(name: name, reason: "must be an absolute http(s) URL, got \"\(text)\"")
        }
        return url
    }
}

extension URL {
    var withoutTrailingSlash: URL {
        var text = absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text) ?? self
    }
}
