import Foundation
import HTTPTypes
import Hummingbird

/// The web UI's session cookie: the random id of a ``BrowserSignIn`` session, never the API token.
///
/// `HttpOnly` keeps it from page scripts, `SameSite=Strict` keeps other sites' pages from sending
/// it, `Path=/` because the API and the UI share the origin. `Secure` is added when the request
/// came through HTTPS (a TLS proxy saying `X-Forwarded-Proto: https`): on plain-HTTP loopback a
/// Secure cookie would not be stored.
public enum SessionCookie {
    public static let name = "netclode_session"

    /// The cookie that signs a browser in as `session`.
    public static func signingIn(_ session: String, request: Request) -> Cookie {
        Cookie(name: name, value: session, maxAge: Int(BrowserSignIn.sessionLifetime.components.seconds), path: "/",
               secure: isHTTPS(request), httpOnly: true, sameSite: .strict)
    }

    /// The cookie that makes the browser forget it.
    public static func clearing(request: Request) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: isHTTPS(request), httpOnly: true, sameSite: .strict)
    }

    /// The session id a request carries, if any.
    public static func value(in request: Request) -> String? {
        guard let value = request.cookies[name]?.value, !value.isEmpty else { return nil }
        return value
    }

    static func isHTTPS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}
