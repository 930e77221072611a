import HTTPTypes
import Hummingbird

/// Refuses cross-site requests that carry the session cookie (CSRF), the way browsers let a
/// server tell: `Sec-Fetch-Site` when the browser sends it (every current one does), else
/// `Origin` compared with `Host`. A request with neither is refused too: browsers send at least
/// one on a POST, and clients that are not browsers use the bearer token instead of a cookie.
/// SameSite=Strict already keeps the cookie off cross-site requests; this is the second lock.
public enum SameOriginCheck {
    /// Why `request` is not a same-origin browser request, or nil when it is. (HTTP/1.1's `Host`
    /// arrives as the request's authority.)
    public static func refusal(_ request: Request) -> String? {
        let headers = request.headers
        if let site = headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return site == "same-origin" ? nil : "cross-site request refused (Sec-Fetch-Site: \(site))"
        }
        guard let origin = headers[HTTPField.Name("Origin")!] else {
            return "request without Origin or Sec-Fetch-Site refused for cookie sign-in: send `Authorization: Bearer <API token>` instead"
        }
        guard let host = request.head.authority, origin == "http://\(host)" || origin == "https://\(host)" else {
            return "cross-origin request refused (Origin: \(origin))"
        }
        return nil
    }
}
