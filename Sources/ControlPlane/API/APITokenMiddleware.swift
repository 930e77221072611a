import ConnectRPC
import HTTPTypes
import Hummingbird

/// Guards a route group with the API token (`Authorization: Bearer <NETCLODE_API_TOKEN>`),
/// compared in constant time, or with the web UI's session cookie.
///
/// Middleware runs once the route has matched and before the handler reads the request body, so a
/// caller without the token costs no body and learns nothing from a parse error: a malformed body
/// sent without the token hears `unauthenticated`, not what was wrong with the body. The refusal is
/// a Connect error (HTTP 401, `{"code":"unauthenticated",...}`), which Connect clients surface for
/// unary and streaming calls alike, and it is counted like any other call's outcome.
///
/// A request without a bearer token may instead carry the cookie of a browser signed in through
/// ``BrowserSignIn`` (the web UI). Such a request must also come from the same origin
/// (``SameOriginCheck``, `permission_denied` otherwise): a cookie travels by itself, a bearer
/// token does not, so only the cookie needs the CSRF check. A bearer token, when present, decides
/// alone, so every other client works exactly as before.
public struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let signIn: BrowserSignIn?
    let observer: (any ConnectCallObserver)?

    public init(token: String, signIn: BrowserSignIn? = nil, observer: (any ConnectCallObserver)? = nil) {
        self.token = token
        self.signIn = signIn
        self.observer = observer
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do throws(ConnectError) {
            try check(request)
        } catch {
            observer?.connectCallFinished(method: String(request.uri.path.dropFirst()), code: error.code)
            return error.httpResponse()
        }
        return try await next(request, context)
    }

    func check(_ request: Request) throws(ConnectError) {
        if let presented = BearerToken.from(request.headers) {
            guard ConstantTime.equals(presented, token) else {
                throw ConnectError(.unauthenticated, "invalid API token")
            }
            return
        }
        guard let signIn, let session = SessionCookie.value(in: request) else {
            throw ConnectError(.unauthenticated, "missing API token: send `Authorization: Bearer <NETCLODE_API_TOKEN>`")
        }
        if let refusal = SameOriginCheck.refusal(request) {
            throw ConnectError(.permissionDenied, refusal)
        }
        guard signIn.isSignedIn(session) else {
            throw ConnectError(.unauthenticated, "signed out: the web UI session has expired or the server restarted; sign in again")
        }
    }
}
