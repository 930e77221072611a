import SwiftProtobuf
import ConnectRPC
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestSupport
import Testing

/// `ConnectServerOptions.authorize` decides on the headers, before the body is read or decoded.
@Suite("Authorization on headers")
struct AuthorizationTests {
    static let secret = "Bearer let-me-in"

    /// Counts handler runs, so a test can tell the handler never ran.
    final class Calls: Sendable {
        private let count = Mutex(0)
        func record() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    static func options() -> ConnectServerOptions {
        ConnectServerOptions(authorize: { headers throws(ConnectError) in
            guard headers[.authorization] == Self.secret else { throw ConnectError(.unauthenticated, "no entry") }
        })
    }

    static func register(_ calls: Calls) -> (Router<BasicRequestContext>) -> Void {
        { router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self, options: Self.options()) { request, _ in
                calls.record()
                return EchoService.echoReply(request)
            }
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self, options: Self.options()) { _, _, stream in
                calls.record()
                try await stream.send(.with { $0.number = 1 })
            }
        }
    }

    @Test func anUnauthorisedCallIsAnsweredBeforeItsBodyArrives() async throws {
        let calls = Calls()
        try await TestServer.with(Self.register(calls)) { server in
            // A 1 MiB body is announced; 16 bytes are sent, and the rest never is.
            let answer = try await UnfinishedRequest.post(
                port: server.port, path: "/\(EchoService.echo)", headers: [("Content-Type", "application/json")],
                announcedLength: 1 << 20, sentBody: Array(#"{"text":"aaaaa"#.utf8))
            #expect(answer.hasPrefix("HTTP/1.1 401"), "the server waited for the body: \(answer)")
            #expect(answer.contains(#"{"code":"unauthenticated","message":"no entry"}"#), "\(answer)")

            // With the credential the same unfinished request waits for its body, as it must.
            let authorised = try await UnfinishedRequest.post(
                port: server.port, path: "/\(EchoService.echo)",
                headers: [("Content-Type", "application/json"), ("Authorization", Self.secret)],
                announcedLength: 1 << 20, sentBody: Array(#"{"text":"aaaaa"#.utf8), timeout: .seconds(2))
            #expect(!authorised.hasPrefix("HTTP/1.1 401"), "\(authorised)")
        }
        #expect(calls.value == 0)
    }

    @Test(arguments: ["application/json", "application/proto"])
    func anUnauthorisedMalformedBodyIsUnauthenticatedNotInvalid(contentType: String) async throws {
        let calls = Calls()
        try await TestServer.with(Self.register(calls)) { server in
            let url = "\(server.baseURL)/\(EchoService.echo)"
            let malformed = ByteBuffer(bytes: [0x0A, 0xFF, 0xFF])  // neither JSON nor a complete protobuf field
            let refused = try await RawHTTP.send(url, contentType: contentType, body: malformed)
            #expect(refused.status == 401)
            #expect(refused.bodyString == #"{"code":"unauthenticated","message":"no entry"}"#)

            // With the credential the body is read and found wanting.
            let invalid = try await RawHTTP.send(url, contentType: contentType, body: malformed, headers: [("Authorization", Self.secret)])
            #expect(invalid.status == 400, "\(invalid.bodyString)")
            #expect(invalid.bodyString.contains("invalid_argument"))
        }
        #expect(calls.value == 0)
    }

    @Test func aStreamingCallIsRefusedTheStreamingWayAndItsHandlerNeverRuns() async throws {
        let calls = Calls()
        try await TestServer.with(Self.register(calls)) { server in
            let url = "\(server.baseURL)/\(EchoService.count)"
            let garbage = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x00, 0x09, 0x01])
            let refused = try await RawHTTP.send(url, contentType: "application/connect+json", body: garbage)
            #expect(refused.status == 200)
            #expect(refused.bodyString.contains(#""code":"unauthenticated""#), "\(refused.bodyString)")

            let request = ByteBuffer(bytes: ConnectEnvelope.bytes(flags: 0, Array(#"{"count":1}"#.utf8)))
            let allowed = try await RawHTTP.send(url, contentType: "application/connect+json", body: request, headers: [("Authorization", Self.secret)])
            #expect(allowed.status == 200)
            #expect(!allowed.bodyString.contains("unauthenticated"), "\(allowed.bodyString)")
        }
        #expect(calls.value == 1, "only the authorised stream ran")
    }
}
