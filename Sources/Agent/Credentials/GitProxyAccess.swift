/// How git in a proxy-mode sandbox reaches GitHub: every URL under the GitHub web URL is rewritten
/// to the control plane's git proxy (`url.<proxy>.insteadOf`), and every request to the proxy
/// carries the session's proxy credential (`http.<proxy>.extraHeader`).
///
/// The remotes keep their GitHub URLs in `.git/config` (`git config remote.origin.url` prints
/// `https://github.com/…`); `git remote -v` shows the rewritten URL, as git applies `insteadOf`
/// when it lists remotes. The credential is good for this session's sandbox only: no GitHub token
/// is in git's configuration, the environment or any file.
public struct GitProxyAccess: Sendable, Equatable {
    /// The proxy's base, ending in `/git/`, e.g. `http://127.0.0.1:8080/git/`.
    public var proxyURL: String
    /// The prefix requests are redirected from, ending in `/`, e.g. `https://github.com/`.
    public var webURL: String
    public var credential: String

    public init(controlPlaneURL: String, webURL: String, credential: String) {
        var base = controlPlaneURL
        while base.hasSuffix("/") { base.removeLast() }
        self.proxyURL = base + "/git/"
        self.webURL = webURL.hasSuffix("/") ? webURL : webURL + "/"
        self.credential = credential
    }

    var entries: [(key: String, value: String)] {
        [("url.\(proxyURL).insteadOf", webURL), ("http.\(proxyURL).extraHeader", "Authorization: Bearer \(credential)")]
    }
}
