import Foundation
import NIOHTTP1
import Testing
import TestSupport

/// The web UI's HTTP side against a real `netclode serve`: its files and their headers, and the
/// cookie sign-in that the client API accepts besides the bearer token.
@Suite("Web UI over HTTP", .serialized)
struct WebUIHTTPTests {
    static let token = ControlPlaneProcess.apiToken

    @Test("the page and its files carry a strict CSP, nosniff, a referrer policy, ETags, and 304 on If-None-Match")
    func filesAndHeaders() async throws {
        let server = try await ControlPlaneProcess.start(environment: [:], logLevel: "info")
        defer { Task { await server.remove() } }
        let http = UIHTTP(baseURL: server.baseURL)

        let page = try await http.send(.GET, "/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.body.contains(#"<script type="module" src="/ui/assets/app.js"></script>"#))
        let csp = try #require(page.header("Content-Security-Policy"))
        for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"] {
            #expect(csp.contains(directive), "\(csp)")
        }
        #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "\(csp)")
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.header("Referrer-Policy") == "no-referrer")
        #expect(page.header("Cache-Control") == "no-cache")
        // Inline code would be blocked by the CSP; none is shipped either.
        #expect(!page.body.contains("<script>") && !page.body.contains("style="), "\(page.body)")

        let script = try await http.send(.GET, "/ui/assets/app.js")
        #expect(script.status == 200)
        #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
        let etag = try #require(script.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count > 10)
        #expect(script.header("Content-Security-Policy") == csp)

        let revalidated = try await http.send(.GET, "/ui/assets/app.js", headers: [("If-None-Match", etag)])
        #expect(revalidated.status == 304)
        #expect(revalidated.body.isEmpty)
        #expect(revalidated.header("ETag") == etag)
        let stale = try await http.send(.GET, "/ui/assets/app.js", headers: [("If-None-Match", "\"0000\"")])
        #expect(stale.status == 200 && stale.body == script.body)

        let css = try await http.send(.GET, "/ui/assets/app.css")
        #expect(css.status == 200 && css.header("Content-Type") == "text/css; charset=utf-8")
        let missing = try await http.send(.GET, "/ui/assets/nothing.js")
        #expect(missing.status == 404)
        let traversal = try await http.send(.GET, "/ui/assets/..%2F..%2FPackage.swift")
        #expect(traversal.status == 404)
        await server.remove()
    }

    @Test("sign-in sets an HttpOnly SameSite=Strict cookie that the API accepts from the same origin only; bearer still works; sign-out ends it")
    func cookieSignIn() async throws {
        let server = try await ControlPlaneProcess.start(environment: [:], logLevel: "info")
        defer { Task { await server.remove() } }
        let http = UIHTTP(baseURL: server.baseURL)

        let (wrong, wrongCookie) = try await http.signIn(token: "not-the-token-0123456789")
        #expect(wrong.status == 401)
        #expect(wrong.body.contains(#""code":"unauthenticated""#), "\(wrong.body)")
        #expect(wrongCookie == nil)

        let crossSite = try await http.send(.POST, "/ui/sign-in",
                                            headers: [("Content-Type", "application/json"), ("Origin", "http://evil.example"), ("Sec-Fetch-Site", "cross-site")],
                                            body: #"{"token": "\#(Self.token)"}"#)
        #expect(crossSite.status == 403 && crossSite.setCookies.isEmpty)

        let (signedIn, pair) = try await http.signIn(token: Self.token)
        #expect(signedIn.status == 204)
        let setCookie = try #require(signedIn.setCookies.first)
        let attributes = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        #expect(attributes.contains("httponly"), "\(setCookie)")
        #expect(attributes.contains("samesite=strict"), "\(setCookie)")
        #expect(attributes.contains("path=/"), "\(setCookie)")
        #expect(attributes.contains { $0.hasPrefix("max-age=") }, "\(setCookie)")
        let cookie = try #require(pair)
        #expect(cookie.hasPrefix("netclode_session="))
        #expect(!setCookie.contains(Self.token), "the API token must never be in the cookie")
        #expect(cookie.count > "netclode_session=".count + 32)

        let sameOrigin: [(String, String)] = [("Cookie", cookie), ("Origin", http.origin), ("Sec-Fetch-Site", "same-origin")]
        let listed = try await http.call("ListSessions", headers: sameOrigin)
        #expect(listed.status == 200, "\(listed.body)")
        let originOnly = try await http.call("ListSessions", headers: [("Cookie", cookie), ("Origin", http.origin)])
        #expect(originOnly.status == 200, "\(originOnly.body)")

        // The cookie from another site, or with no origin at all, is refused before the body is read.
        for headers in [[("Cookie", cookie), ("Sec-Fetch-Site", "cross-site")],
                        [("Cookie", cookie), ("Sec-Fetch-Site", "same-site")],
                        [("Cookie", cookie), ("Origin", "http://evil.example")],
                        [("Cookie", cookie)]] {
            let refused = try await http.call("ListSessions", "not json", headers: headers)
            #expect(refused.status == 403, "\(headers): \(refused.body)")
            #expect(refused.body.contains(#""code":"permission_denied""#), "\(refused.body)")
        }

        // A forged session id is not a sign-in.
        let forged = try await http.call("ListSessions", headers: [("Cookie", "netclode_session=" + String(repeating: "ab", count: 32)), ("Origin", http.origin)])
        #expect(forged.status == 401)

        // Bearer keeps working, with or without a cookie beside it.
        let bearer = try await http.call("ListSessions", headers: [("Authorization", "Bearer \(Self.token)")])
        #expect(bearer.status == 200)
        let wrongBearer = try await http.call("ListSessions", headers: [("Authorization", "Bearer wrong-token-0123456789"), ("Cookie", cookie), ("Origin", http.origin)])
        #expect(wrongBearer.status == 401, "a wrong bearer token is not rescued by a cookie")

        // Sign-out forgets the session on the server and clears the cookie in the browser.
        let signOut = try await http.send(.POST, "/ui/sign-out", headers: sameOrigin)
        #expect(signOut.status == 204)
        let cleared = try #require(signOut.setCookies.first)
        #expect(cleared.hasPrefix("netclode_session=;") && cleared.lowercased().contains("max-age=0"), "\(cleared)")
        let afterSignOut = try await http.call("ListSessions", headers: sameOrigin)
        #expect(afterSignOut.status == 401, "\(afterSignOut.body)")
        await server.remove()
    }

    @Test("netclode dev prints a one-time sign-in link: it sets the cookie and redirects to / once, then is refused")
    func oneTimeLink() async throws {
        let dev = try await DevProcess.start()
        defer { Task { await dev.remove() } }
        let http = UIHTTP(baseURL: dev.baseURL)
        let line = try #require(dev.output.split(separator: "\n").first { $0.contains("web UI") && $0.contains("/ui/link?code=") }, "\(dev.output)")
        let link = try #require(line.split(separator: " ").last.map(String.init))
        #expect(link.hasPrefix(dev.baseURL.absoluteString + "/ui/link?code="))
        let path = String(link.dropFirst(dev.baseURL.absoluteString.count))

        let first = try await http.send(.GET, path)
        #expect(first.status == 303)
        #expect(first.header("Location") == "/", "the code must leave the address bar")
        let setCookie = try #require(first.setCookies.first)
        #expect(setCookie.lowercased().contains("httponly") && setCookie.lowercased().contains("samesite=strict"))
        let cookie = try #require(UIHTTP.cookiePair(setCookie))
        let listed = try await http.call("ListSessions", headers: [("Cookie", cookie), ("Origin", http.origin)])
        #expect(listed.status == 200, "\(listed.body)")

        let again = try await http.send(.GET, path)
        #expect(again.status == 401)
        #expect(again.setCookies.isEmpty)
        #expect(again.body.contains("already used"))
        let guessed = try await http.send(.GET, "/ui/link?code=" + String(repeating: "0", count: 64))
        #expect(guessed.status == 401)
        await dev.remove()
    }
}
