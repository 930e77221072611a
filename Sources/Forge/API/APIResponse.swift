import HTTPTypes
import Hummingbird
import NIOCore

/// Building GitHub-shaped responses.
enum APIResponse {
    static let jsonContentType = "application/json; charset=utf-8"

    enum Docs {
        static let rest = "https://docs.github.com/rest"
        static let installation = "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"
        static let createToken = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
        static let getRepository = "https://docs.github.com/rest/repos/repos#get-a-repository"
        static let installationRepositories = "https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation"
        static let rateLimits = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
        static let secondaryRateLimits = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
    }

    static func json(_ status: HTTPResponse.Status, _ body: JSONValue, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = jsonContentType
        let bytes = body.serialized()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"message", "documentation_url", "status"}`, GitHub's error body.
    static func error(_ status: HTTPResponse.Status, _ message: String, documentationURL: String = Docs.rest,
                      headers: HTTPFields = [:]) -> Response {
        json(status, [
            "message": .string(message),
            "documentation_url": .string(documentationURL),
            "status": .string(String(status.code)),
        ], headers: headers)
    }

    static func notFound(documentationURL: String = Docs.rest) -> Response {
        error(.notFound, "Not Found", documentationURL: documentationURL)
    }

    static func badCredentials() -> Response {
        error(.unauthorized, "Bad credentials")
    }

    static func noContent() -> Response {
        Response(status: .noContent)
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("x-ratelimit-limit")!
    static let rateLimitRemaining = HTTPField.Name("x-ratelimit-remaining")!
    static let rateLimitReset = HTTPField.Name("x-ratelimit-reset")!
    static let rateLimitUsed = HTTPField.Name("x-ratelimit-used")!
    static let rateLimitResource = HTTPField.Name("x-ratelimit-resource")!
    static let retryAfter = HTTPField.Name("retry-after")!
    static let link = HTTPField.Name("link")!
    static let gitHubMediaType = HTTPField.Name("x-github-media-type")!
    static let gitHubRequestID = HTTPField.Name("x-github-request-id")!
    static let gitProtocol = HTTPField.Name("git-protocol")!
}
