import ConnectRPC
import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Sign-in and sign-out for the web UI: the only place a browser hands over the API token, once,
/// in a POST body (never a URL), and gets an HttpOnly session cookie back.
///
/// - `POST /ui/sign-in` `{"token": "..."}`: 204 with the cookie, or 401 `unauthenticated`.
/// - `POST /ui/sign-out`: forgets the browser's session and clears the cookie (204).
/// - `GET /ui/link?code=...`: a one-time link (``BrowserSignIn/makeLink()``, printed by
///   `netclode dev`): sets the cookie and redirects to `/`, so the code leaves the address bar at
///   once; a used, unknown or expired code gets 401 and a page saying to sign in with the token.
///
/// The POSTs pass ``SameOriginCheck`` too: another site must not sign a browser in (login CSRF)
/// or out.
struct SignInRoutes: Sendable {
    let signIn: BrowserSignIn

    struct Credentials: Decodable {
        let token: String
    }

    func register(on group: RouterGroup<ControlPlaneRequestContext>) {
        group.post("/ui/sign-in") { request, _ in try await handleSignIn(request) }
        group.post("/ui/sign-out") { request, _ in handleSignOut(request) }
        group.get("/ui/link") { request, _ in handleLink(request) }
    }

    func handleSignIn(_ request: Request) async throws -> Response {
        if let refusal = SameOriginCheck.refusal(request) {
            return Self.error(ConnectError(.permissionDenied, refusal))
        }
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let credentials = try? JSONDecoder().decode(Credentials.self, from: Data(body.readableBytesView)) else {
            return Self.error(ConnectError(.invalidArgument, "send {\"token\": \"<API token>\"} as JSON"))
        }
        guard let session = signIn.signIn(token: credentials.token) else {
            return Self.error(ConnectError(.unauthenticated, "invalid API token"))
        }
        var response = Response(status: .noContent, headers: SecurityHeaders.fields)
        response.setCookie(SessionCookie.signingIn(session, request: request))
        return response
    }

    func handleSignOut(_ request: Request) -> Response {
        if let refusal = SameOriginCheck.refusal(request) {
            return Self.error(ConnectError(.permissionDenied, refusal))
        }
        if let session = SessionCookie.value(in: request) { signIn.signOut(session) }
        var response = Response(status: .noContent, headers: SecurityHeaders.fields)
        response.setCookie(SessionCookie.clearing(request: request))
        return response
    }

    func handleLink(_ request: Request) -> Response {
        var headers = SecurityHeaders.fields
        headers[.cacheControl] = "no-store"
        guard let code = request.uri.queryParameters.get("code"), let session = signIn.redeem(link: code) else {
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string:
                "This sign-in link is invalid, expired or already used. Open / and sign in with the API token.\n")))
        }
        headers[.location] = "/"
        var response = Response(status: .seeOther, headers: headers)
        response.setCookie(SessionCookie.signingIn(session, request: request))
        return response
    }

    static func error(_ error: ConnectError) -> Response {
        error.httpResponse(extraHeaders: SecurityHeaders.fields)
    }
}
