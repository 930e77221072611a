import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Plain HTTP requests as a browser sends them to the web UI, answered without following
/// redirects, so a test sees each status and `Set-Cookie` itself.
struct UIHTTP {
    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: String

        func header(_ name: String) -> String? { headers.first(name: name) }
        var setCookies: [String] { headers[canonicalForm: "Set-Cookie"].map(String.init) }
    }

    let baseURL: URL
    /// `Origin` as the page itself sends it: this server's own origin.
    var origin: String { baseURL.absoluteString }

    static let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                   configuration: .init(redirectConfiguration: .disallow))

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL.absoluteString + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 8 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
    }

    /// A unary `SessionService` call with JSON, with the given credentials headers.
    func call(_ method: String, _ json: String = "{}", headers: [(String, String)]) async throws -> Answer {
        try await send(.POST, "/netclode.v1.SessionService/\(method)",
                       headers: [("Content-Type", "application/json")] + headers, body: json)
    }

    /// Signs in with `token` from this origin; the session cookie's `name=value` on success.
    func signIn(token: String) async throws -> (Answer, String?) {
        let answer = try await send(.POST, "/ui/sign-in",
                                    headers: [("Content-Type", "application/json"), ("Origin", origin), ("Sec-Fetch-Site", "same-origin")],
                                    body: #"{"token": "\#(token)"}"#)
        return (answer, answer.setCookies.first.flatMap(Self.cookiePair))
    }

    /// `name=value` of a `Set-Cookie` line.
    static func cookiePair(_ setCookie: String) -> String? {
        setCookie.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}
