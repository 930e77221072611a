import Foundation
import Testing
import TestSupport

/// `netclode serve` checks the API token before it reads a request body, and warns when it
/// listens where other machines can reach its plain-HTTP API.
@Suite("Serve: authentication before the body, clear-text warning", .serialized)
struct ServeSecurityTests {
    static let tlsWarning = "Put TLS in front"

    static func post(_ server: ControlPlaneProcess, _ method: String, contentType: String, body: [UInt8],
                     announcedLength: Int? = nil, token: String? = nil) async throws -> String {
        var headers = [("Content-Type", contentType)]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await UnfinishedRequest.post(
            port: server.baseURL.port!, path: "/\(method)", headers: headers,
            announcedLength: announcedLength ?? body.count, sentBody: body)
    }

    @Test func callsWithoutTheTokenAreRefusedOnTheirHeaders() async throws {
        let server = try await ControlPlaneProcess.start(environment: [:])
        do {
            try await Self.checkRefusals(server)
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }

    static func checkRefusals(_ server: ControlPlaneProcess) async throws {
        let create = "netclode.v1.SessionService/CreateSession"
        // 3 MiB announced (under the 4 MiB limit), a few bytes sent: the answer comes at once.
        let unfinished = try await post(server, create, contentType: "application/json", body: Array(#"{"name":"#.utf8), announcedLength: 3 << 20)
        #expect(unfinished.hasPrefix("HTTP/1.1 401"), "the server read the body before checking the token: \(unfinished)")
        #expect(unfinished.contains("missing API token"), "\(unfinished)")

        // A malformed body without the token: unauthenticated, not a parse error.
        for contentType in ["application/json", "application/proto"] {
            let malformed = try await post(server, create, contentType: contentType, body: [0x0A, 0xFF, 0xFF], token: "wrong-token-0123456789")
            #expect(malformed.hasPrefix("HTTP/1.1 401"), "\(malformed)")
            #expect(malformed.contains(#""code":"unauthenticated""#) && malformed.contains("invalid API token"), "\(malformed)")
            let authorised = try await post(server, create, contentType: contentType, body: [0x0A, 0xFF, 0xFF], token: ControlPlaneProcess.apiToken)
            #expect(authorised.hasPrefix("HTTP/1.1 400") && authorised.contains("invalid_argument"), "\(authorised)")
        }

        // The agent channel: no bearer credential at all is refused before the body too.
        let report = try await post(server, "netclode.v1.AgentService/Report", contentType: "application/json", body: [0x0A, 0xFF, 0xFF])
        #expect(report.hasPrefix("HTTP/1.1 401") && report.contains("missing agent secret"), "\(report)")

        let log = try String(contentsOf: server.logFile, encoding: .utf8)
        #expect(!log.contains(tlsWarning), "127.0.0.1 is loopback: no warning")
    }
}
