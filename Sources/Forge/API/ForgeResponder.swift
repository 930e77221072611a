import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The forge's single HTTP entry point: `/_forge/*` control, git smart HTTP, or the REST API.
///
/// A hand-written dispatcher rather than Hummingbird's `Router`: git paths are open-ended
/// (`/{owner}/{repo}.git/...`), every unknown API route must answer GitHub's JSON 404, and every
/// API response gets the same headers and fault handling.
public struct ForgeResponder: HTTPResponder {
    public typealias Context = ForgeRequestContext

    let state: ForgeState
    let api: APIHandler
    let git: GitHandler
    let control: ControlHandler
    let fallbackOrigin: String
    let logger: Logger

    /// API request bodies are small JSON documents.
    static let maxAPIBodySize = 1 << 20

    public func respond(to request: Request, context: ForgeRequestContext) async throws -> Response {
        let path = request.uri.path
        if path == "/_forge" || path.hasPrefix("/_forge/") {
            var request = request
            let body = (try? await request.collectBody(upTo: Self.maxAPIBodySize)).map { Array($0.readableBytesView) } ?? []
            return await control.handle(method: request.method, path: path, query: query(of: request), origin: ForgeURLs(origin: origin(of: request)),
                                        body: body, context: context)
        }
        let service = request.uri.queryParameters["service"].map(String.init)
        if let route = GitRoute(path: path, method: request.method.rawValue, service: service) {
            return try await git.handle(route, request: request, context: context)
        }
        return await respondAPI(to: request, path: path, context: context)
    }

    private func respondAPI(to request: Request, path: String, context: ForgeRequestContext) async -> Response {
        await state.countAPIRequest()
        var request = request
        let authorization = AuthorizationCredentials(header: request.headers[.authorization])

        var response: Response
        if let plan = await state.takeFault(for: path) {
            if let delay = plan.delayMilliseconds, delay > 0 {
                try? await Task.sleep(for: .milliseconds(delay))
            }
            if plan.resetConnection {
                logger.info("injected fault", metadata: ["path": "\(path)", "fault": "connection reset"])
                await context.resetConnection()
                // Nothing reaches the client any more; the response only ends the handler.
                return APIResponse.error(.internalServerError, "connection reset")
            }
            if let status = plan.status {
                response = FaultResponder.response(for: plan, status: status, installationID: await faultInstallationID(path: path, authorization: authorization))
                logger.info("injected fault", metadata: ["path": "\(path)", "status": "\(status)"])
                return await finish(response, request: request)
            }
        }

        let body: [UInt8]
        do {
            body = Array(try await request.collectBody(upTo: Self.maxAPIBodySize).readableBytesView)
        } catch {
            return await finish(APIResponse.error(.contentTooLarge, "Request body too large"), request: request)
        }
        let call = APIHandler.Call(
            method: request.method,
            segments: path.split(separator: "/", omittingEmptySubsequences: true).map(String.init),
            query: query(of: request), authorization: authorization, urls: ForgeURLs(origin: origin(of: request)), path: path, body: body)
        response = await api.handle(call)
        logger.debug("api", metadata: ["method": "\(request.method)", "path": "\(path)", "status": "\(response.status.code)"])
        return await finish(response, request: request)
    }

    /// Headers every GitHub API response carries.
    private func finish(_ response: Response, request: Request) async -> Response {
        var response = response
        let rateLimit = await state.rateLimit()
        func setIfAbsent(_ name: HTTPField.Name, _ value: String) {
            if response.headers[name] == nil { response.headers[name] = value }
        }
        setIfAbsent(.contentType, APIResponse.jsonContentType)
        setIfAbsent(.rateLimitLimit, String(rateLimit.limit))
        setIfAbsent(.rateLimitRemaining, String(rateLimit.remaining))
        setIfAbsent(.rateLimitReset, String(rateLimit.reset))
        setIfAbsent(.rateLimitUsed, String(rateLimit.used))
        setIfAbsent(.rateLimitResource, "core")
        setIfAbsent(.gitHubMediaType, "github.v3; format=json")
        setIfAbsent(.gitHubRequestID, UUID().uuidString.uppercased())
        return response
    }

    /// The query parameters, percent-decoded (the last of a repeated name wins).
    private func query(of request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        return query
    }

    /// `http://HOST:PORT` as the client addressed the forge.
    private func origin(of request: Request) -> String {
        if let authority = request.head.authority, !authority.isEmpty {
            return "http://\(authority)"
        }
        return fallbackOrigin
    }

    /// The installation a rate-limit message names: from the path, or from the token.
    private func faultInstallationID(path: String, authorization: AuthorizationCredentials?) async -> Int? {
        let segments = path.split(separator: "/").map(String.init)
        if segments.count >= 3, segments[0] == "app", segments[1] == "installations", let id = Int(segments[2]) { return id }
        if case .bearer(let token)? = authorization, let record = await state.liveToken(token) { return record.installationID }
        return await state.metadata.installations.first?.id
    }
}
