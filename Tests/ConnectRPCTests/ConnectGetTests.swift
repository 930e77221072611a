import ConnectRPC
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SwiftProtobuf
import TestSupport
import Testing

/// Connect GET: `GET /<method>?connect=v1&encoding=...&message=...[&base64=1][&compression=gzip]`
/// for unary methods registered with `idempotency: .noSideEffects` (Echo in `EchoService`).
@Suite("Connect GET")
struct ConnectGetTests {
    func echoURL(_ server: TestServer, _ query: String) -> String { "\(server.baseURL)/\(EchoService.echo)?\(query)" }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func get(_ url: String, headers: [(String, String)] = []) async throws -> RawResponse {
        try await RawHTTP.send(url, method: .GET, contentType: nil, headers: headers)
    }

    @Test func percentEncodedJSON() async throws {
        try await TestServer.with(EchoService.register) { server in
            // {"text": "hi there", "repeatCount": 2} with `+` for a space, in any parameter order, with
            // an unknown parameter.
            let response = try await Self.get(echoURL(
                server, "message=%7B%22text%22%3A%22hi+there%22%2C%22repeatCount%22%3A2%7D&cache=bust&encoding=json&connect=v1"))
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            #expect(response.bodyString == #"{"text":"hi there hi there","textLength":17}"#)
            #expect(response.headers.first(name: "Vary") == "Accept-Encoding")
        }
    }

    @Test func base64ProtoPaddedOrNot() async throws {
        try await TestServer.with(EchoService.register) { server in
            let request: [UInt8] = try Echo_V1_EchoRequest.with { $0.text = "proto?"; $0.tags = ["a"] }.serializedBytes()
            for message in [Self.base64URL(request), Self.base64URL(request) + "%3D%3D"] {
                let response = try await Self.get(echoURL(server, "connect=v1&base64=1&encoding=proto&message=\(message)"))
                #expect(response.status == 200, "\(message)")
                #expect(response.contentType == "application/proto")
                let reply = try Echo_V1_EchoResponse(serializedBytes: response.bodyBytes)
                #expect(reply.text == "proto?")
                #expect(reply.tags == ["a"])
            }
        }
    }

    @Test func gzipCompressedMessageAndResponse() async throws {
        try await TestServer.with(EchoService.register) { server in
            let json = #"{"text":"abcdefgh","repeatCount":300}"#
            let message = Self.base64URL(ConnectCompression.gzip.compress(ByteBuffer(string: json)).readableBytesView)
            let query = "connect=v1&base64=1&compression=gzip&encoding=json&message=\(message)"
            // No Accept-Encoding: the client is assumed to accept the compression it used.
            let response = try await Self.get(echoURL(server, query))
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Content-Encoding") == "gzip")
            let body = try ConnectCompression.gzip.decompress(response.body, limit: 1 << 20, what: "test")
            #expect(try Echo_V1_EchoResponse(jsonString: String(buffer: body)).textLength == 300 * 9 - 1)

            let plain = try await Self.get(echoURL(server, query), headers: [("Accept-Encoding", "identity")])
            #expect(plain.headers.first(name: "Content-Encoding") == nil)
            #expect(try Echo_V1_EchoResponse(jsonString: plain.bodyString).textLength == 300 * 9 - 1)
        }
    }

    @Test func authorizationHeadersApplyToGET() async throws {
        let options = ConnectServerOptions(authorize: { headers throws(ConnectError) in
            guard headers[.authorization] == "Bearer sesame" else { throw ConnectError(.unauthenticated, "who are you?") }
        })
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self,
                                idempotency: .noSideEffects, options: options) { request, _ in EchoService.echoReply(request) }
        }) { server in
            let query = "connect=v1&encoding=json&message=%7B%22text%22%3A%22k%22%7D"
            let anonymous = try await Self.get(echoURL(server, query))
            #expect(anonymous.status == 401)
            #expect(ConnectError(jsonBody: Data(anonymous.bodyBytes)) == ConnectError(.unauthenticated, "who are you?"))
            let known = try await Self.get(echoURL(server, query), headers: [("Authorization", "Bearer sesame")])
            #expect(known.status == 200)
            #expect(known.bodyString == #"{"text":"k","textLength":1}"#)
        }
    }

    @Test(arguments: [
        // (query, HTTP status, Connect error)
        ("connect=v1&encoding=json", 400, ConnectError(.invalidArgument, "missing message query parameter")),
        ("connect=v1&message=%7B%7D", 400,
         ConnectError(.invalidArgument, "missing encoding query parameter; use encoding=json or encoding=proto")),
        ("encoding=xml&message=%7B%7D", 415,
         ConnectError(.invalidArgument, #"unsupported encoding "xml"; use encoding=json or encoding=proto"#)),
        ("connect=v2&encoding=json&message=%7B%7D", 400,
         ConnectError(.invalidArgument, #"connect query parameter must be "v1", got "v2""#)),
        ("encoding=proto&base64=1&message=not*base64", 400,
         ConnectError(.invalidArgument, "message query parameter is not valid base64url (base64=1)")),
        ("encoding=json&compression=br&message=%7B%7D", 501,
         ConnectError(.unimplemented, #"compression "br" is not supported; supported encodings are gzip, identity"#)),
        ("encoding=json&base64=1&compression=gzip&message=e30", 400,
         ConnectError(.invalidArgument, "request message could not be decompressed with gzip: invalid gzip data: incorrect header check")),
    ] as [(String, Int, ConnectError)])
    func invalidQueriesAreRefusedNamingTheParameter(query: String, status: Int, error: ConnectError) async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await Self.get(echoURL(server, query))
            #expect(response.status == status)
            #expect(response.contentType == "application/json")
            #expect(ConnectError(jsonBody: Data(response.bodyBytes)) == error)
            if status == 501 { #expect(response.headers.first(name: "Accept-Encoding") == "gzip") }
        }
    }

    /// curl sends the query byte for byte (AsyncHTTPClient would re-encode the stray `%`).
    @Test(.enabled(if: Curl.path != nil, "no curl on PATH"))
    func brokenPercentEncodingIsInvalidArgument() async throws {
        try await TestServer.with(EchoService.register) { server in
            let result = try await Command.run(try #require(Curl.path), [
                "-sS", "-w", "\n%{response_code}", echoURL(server, "encoding=json&message=%7B%zz&other=%"),
            ])
            #expect(result.stdout == #"{"code":"invalid_argument","message":"the message query parameter is not valid percent-encoding"}"# + "\n400",
                    "\(result.stderr)")
        }
    }

    @Test func messagesOverTheLimitAreResourceExhausted() async throws {
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self,
                                idempotency: .noSideEffects, options: ConnectServerOptions(maxMessageBytes: 64)) { request, _ in
                EchoService.echoReply(request)
            }
        }) { server in
            let long = try await Self.get(echoURL(server, "encoding=json&message=" + String(repeating: "a", count: 100)))
            #expect(long.status == 429)
            #expect(ConnectError(jsonBody: Data(long.bodyBytes))?.code == .resourceExhausted)

            let bomb = ConnectCompression.gzip.compress(ByteBuffer(string: #"{"text":"\#(String(repeating: "z", count: 5000))"}"#))
            #expect(bomb.readableBytes <= 64)
            let zipped = try await Self.get(echoURL(
                server, "encoding=json&base64=1&compression=gzip&message=\(Self.base64URL(bomb.readableBytesView))"))
            #expect(zipped.status == 429)
            #expect(ConnectError(jsonBody: Data(zipped.bodyBytes)) == ConnectError(
                .resourceExhausted, "request message exceeds the limit of 64 bytes after gzip decompression"))
        }
    }

    /// An opted-in method lists GET in `Allow`; other methods still get 405.
    @Test func otherHTTPMethodsGet405ListingGETAndPOST() async throws {
        try await TestServer.with(EchoService.register) { server in
            let put = try await RawHTTP.send(echoURL(server, "encoding=json&message=%7B%7D"), method: .PUT, contentType: "application/json")
            #expect(put.status == 405)
            #expect(put.headers.first(name: "Allow") == "GET, POST")
            // POST is unaffected by the GET registration.
            let post = try await RawHTTP.send("\(server.baseURL)/\(EchoService.echo)", contentType: "application/json", json: #"{"text":"p"}"#)
            #expect(post.bodyString == #"{"text":"p","textLength":1}"#)
        }
    }

    @Test func streamingMethodsNeverAnswerGET() async throws {
        try await TestServer.with(EchoService.register) { server in
            let get = try await Self.get("\(server.baseURL)/\(EchoService.count)?encoding=json&message=%7B%7D")
            #expect(get.status == 405)
            #expect(get.headers.first(name: "Allow") == "POST")
        }
    }
}
