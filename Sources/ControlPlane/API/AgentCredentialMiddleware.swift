import ConnectRPC
import HTTPTypes
import Hummingbird

/// Guards the agent channel: a call must carry a bearer credential (the session's agent secret).
///
/// Which session the secret belongs to is in the request body, so the secret itself is checked by
/// the session manager; this refuses a call without any credential on its headers already, before
/// its body is read.
struct AgentCredentialMiddleware<Context: RequestContext>: RouterMiddleware {
    let observer: (any ConnectCallObserver)?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard BearerToken.from(request.headers) != nil else {
            let error = AgentServiceRoutes.missingSecret
            observer?.connectCallFinished(method: String(request.uri.path.dropFirst()), code: error.code)
            return error.httpResponse()
        }
        return try await next(request, context)
    }
}
