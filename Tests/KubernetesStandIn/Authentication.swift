import Hummingbird

/// The API server's authentication: `Authorization: Bearer <token>` must be the cluster's token,
/// else 401 with the API's `Status`. With client certificates required, the TLS handshake has
/// already verified the client against the cluster's CA, which is the authentication.
struct Authentication: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String
    let certificateVerified: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard certificateVerified || request.headers[.authorization] == "Bearer \(token)" else {
            return APIRoutes.status(.unauthorized)
        }
        return try await next(request, context)
    }
}
