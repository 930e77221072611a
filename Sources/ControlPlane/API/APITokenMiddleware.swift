import ConnectRPC
import HTTPTypes
import Hummingbird

/// Guards a route group with the API token (`Authorization: Bearer <NETCLODE_API_TOKEN>`),
/// compared in constant time.
///
/// Middleware runs once the route has matched and before the handler reads the request body, so a
/// caller without the token costs no body and learns nothing from a parse error: a malformed body
/// sent without the token hears `unauthenticated`, not what was wrong with the body. The refusal is
/// a Connect error (HTTP 401, `{"code":"unauthenticated",...}`), which Connect clients surface for
/// unary and streaming calls alike, and it is counted like any other call's outcome.
public struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let observer: (any ConnectCallObserver)?

    public init(token: String, observer: (any ConnectCallObserver)? = nil) {
        self.token = token
        self.observer = observer
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do throws(ConnectError) {
            try check(request.headers)
        } catch {
            observer?.connectCallFinished(method: String(request.uri.path.dropFirst()), code: error.code)
            return error.httpResponse()
        }
        return try await next(request, context)
    }

    func check(_ headers: HTTPFields) throws(ConnectError) {
        guard let presented = BearerToken.from(headers) else {
            throw ConnectError(.unauthenticated, "missing API token: send `Authorization: Bearer <NETCLODE_API_TOKEN>`")
        }
        guard ConstantTime.equals(presented, token) else {
            throw ConnectError(.unauthenticated, "invalid API token")
        }
    }
}
