import AsyncHTTPClient
import ConnectRPC
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SwiftProtobuf
import TestSupport
import Testing

@Suite("Unary calls")
struct UnaryTests {
    var echoURL: (TestServer) -> String { { "\($0.baseURL)/\(EchoService.echo)" } }

    @Test(arguments: ConnectCodec.allCases)
    func roundTripThroughTheClient(codec: ConnectCodec) async throws {
        try await TestServer.with(EchoService.register) { server in
            let reply = try await server.client(codec: codec).unary(
                EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "hey"; $0.repeatCount = 2; $0.tags = ["a", "b"] },
                as: Echo_V1_EchoResponse.self)
            #expect(reply.text == "hey hey")
            #expect(reply.textLength == 7)
            #expect(reply.tags == ["a", "b"])
        }
    }

    @Test func jsonOnTheWireIsCamelCaseWithDefaultsOmitted() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: #"{"text":"hi"}"#)
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            // `shouted` is false and `tags` empty: both omitted.
            #expect(response.bodyString == #"{"text":"hi","textLength":2}"#)
        }
    }

    @Test func unknownJSONFieldsAreIgnoredAndProtoNamesAccepted() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(
                echoURL(server), contentType: "application/json; charset=utf-8",
                json: #"{"text":"HO","repeat_count":2,"futureField":{"nested":[1,2]},"another":true}"#)
            #expect(response.status == 200)
            #expect(response.bodyString == #"{"text":"HO HO","textLength":5,"shouted":true}"#)
        }
    }

    @Test func binaryProtoOnTheWire() async throws {
        try await TestServer.with(EchoService.register) { server in
            let request: [UInt8] = try Echo_V1_EchoRequest.with { $0.text = "bin" }.serializedBytes()
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/proto",
                                                  body: ByteBuffer(bytes: request))
            #expect(response.status == 200)
            #expect(response.contentType == "application/proto")
            let reply = try Echo_V1_EchoResponse(serializedBytes: response.bodyBytes)
            #expect(reply.text == "bin")
            #expect(reply.textLength == 3)
        }
    }

    static let errorCases: [ConnectError.Code] = [
        .invalidArgument, .notFound, .alreadyExists, .permissionDenied, .unauthenticated,
        .failedPrecondition, .resourceExhausted, .unimplemented, .unavailable, .canceled,
    ]

    @Test(arguments: errorCases)
    func handlerErrorsBecomeConnectErrorJSONWithTheTableStatus(code: ConnectError.Code) async throws {
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self) { request, _ in
                throw ConnectError(code, "failed: \(request.text)")
            }
        }) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: #"{"text":"x/y"}"#)
            #expect(response.status == code.httpStatus)
            #expect(response.contentType == "application/json")
            #expect(response.bodyString == #"{"code":"\#(code.rawValue)","message":"failed: x/y"}"#)

            // The client surfaces exactly the server's code and message.
            let error = await #expect(throws: ConnectError.self) {
                try await server.client().unary(EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "x/y" },
                                                as: Echo_V1_EchoResponse.self)
            }
            #expect(error == ConnectError(code, "failed: x/y"))
        }
    }

    @Test func otherErrorsAreInternalWithoutLeakingDetails() async throws {
        struct DatabaseExploded: Error { let secret = "password=hunter2" }
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self) { _, _ in
                throw DatabaseExploded()
            }
        }) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}")
            #expect(response.status == 500)
            #expect(response.bodyString == #"{"code":"internal","message":"internal error"}"#)
            #expect(server.logs.text.contains("DatabaseExploded"))
        }
    }

    @Test func unsupportedContentTypesGet415WithAConnectErrorBody() async throws {
        try await TestServer.with(EchoService.register) { server in
            for contentType in ["text/plain", "application/connect+json", "application/grpc", "application/json; charset=latin1"] {
                let response = try await RawHTTP.send(echoURL(server), contentType: contentType, json: "{}")
                #expect(response.status == 415, "\(contentType)")
                #expect(response.contentType == "application/json")
                let error = try #require(ConnectError(jsonBody: Data(response.bodyBytes)))
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("unsupported content type"))
            }
            let missing = try await RawHTTP.send(echoURL(server), contentType: nil, json: "{}")
            #expect(missing.status == 415)
        }
    }

    @Test func malformedBodiesAreInvalidArgument() async throws {
        try await TestServer.with(EchoService.register) { server in
            for body in [#"{"text": "#, "[1,2]", #"{"repeatCount":"many"}"#, ""] {
                let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: body)
                #expect(response.status == 400, "\(body)")
                let error = try #require(ConnectError(jsonBody: Data(response.bodyBytes)))
                #expect(error.code == .invalidArgument)
                #expect(error.message.hasPrefix("malformed JSON request for echo.v1.EchoRequest"), "\(error.message)")
            }
            let garbage = try await RawHTTP.send(echoURL(server), contentType: "application/proto",
                                                 body: ByteBuffer(bytes: [0x0A, 0x05, 0x61]))
            #expect(garbage.status == 400)
            #expect(ConnectError(jsonBody: Data(garbage.bodyBytes))?.message.hasPrefix("malformed protobuf request") == true)
        }
    }

    @Test func protocolVersionOtherThanOneIsRefused() async throws {
        try await TestServer.with(EchoService.register) { server in
            let refused = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}",
                                                 headers: [("Connect-Protocol-Version", "2")])
            #expect(refused.status == 400)
            #expect(refused.bodyString == #"{"code":"invalid_argument","message":"connect-protocol-version must be \"1\", got \"2\""}"#)
            let accepted = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}",
                                                  headers: [("Connect-Protocol-Version", "1")])
            #expect(accepted.status == 200)
            #expect(accepted.bodyString == "{}")
        }
    }

    @Test func timeoutBecomesDeadlineExceeded() async throws {
        let cancelled = Signal<Bool>()
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self) { _, call in
                #expect(call.timeout == .milliseconds(200))
                #expect(call.deadline != nil)
                do {
                    try await Task.sleep(for: .seconds(300))
                } catch {
                    cancelled.send(true)
                    throw error
                }
                return Echo_V1_EchoResponse()
            }
        }) { server in
            let started = ContinuousClock.now
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}",
                                                  headers: [("Connect-Timeout-Ms", "200")])
            // Far below the handler's 300 s sleep, with room for a loaded CI machine.
            #expect(ContinuousClock.now - started < .seconds(120))
            #expect(response.status == 504)
            #expect(response.bodyString == #"{"code":"deadline_exceeded","message":"the call's deadline of 200 ms expired"}"#)
            #expect(await cancelled.next() == true, "the handler is cancelled at the deadline")

            let error = await #expect(throws: ConnectError.self) {
                try await server.client().unary(EchoService.echo, Echo_V1_EchoRequest(), as: Echo_V1_EchoResponse.self,
                                                timeout: .milliseconds(200))
            }
            #expect(error?.code == .deadlineExceeded)

            let malformed = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}",
                                                   headers: [("Connect-Timeout-Ms", "soon")])
            #expect(malformed.status == 400)
        }
    }

    @Test func unsupportedEncodingsAreUnimplementedNamingTheSupportedOnes() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}",
                                                  headers: [("Content-Encoding", "br")])
            #expect(response.status == 501)
            #expect(response.headers.first(name: "Accept-Encoding") == "gzip")
            let error = try #require(ConnectError(jsonBody: Data(response.bodyBytes)))
            #expect(error == ConnectError(.unimplemented,
                                          #"content-encoding "br" is not supported; supported encodings are gzip, identity"#))
            let identity = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}",
                                                  headers: [("Content-Encoding", "identity")])
            #expect(identity.status == 200)
        }
    }

    @Test func bodiesOverTheLimitAreResourceExhausted() async throws {
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self,
                                options: ConnectServerOptions(maxMessageBytes: 1024)) { request, _ in
                EchoService.echoReply(request)
            }
        }) { server in
            let big = #"{"text":"\#(String(repeating: "a", count: 2000))"}"#
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: big)
            #expect(response.status == 429)
            #expect(response.bodyString == #"{"code":"resource_exhausted","message":"request message exceeds the limit of 1024 bytes"}"#)
            let small = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: #"{"text":"ok"}"#)
            #expect(small.status == 200)
        }
    }

    /// A method registered without `idempotency: .noSideEffects` is POST only: GET gets 405, as
    /// connect-go answers it, with a Connect body saying why.
    @Test func onlyPOSTIsAllowedAndUnknownMethodsAre404() async throws {
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self) { request, _ in
                EchoService.echoReply(request)
            }
        }) { server in
            let get = try await RawHTTP.send(echoURL(server) + "?encoding=json&message=%7B%7D", method: .GET, contentType: nil)
            #expect(get.status == 405)
            #expect(get.headers.first(name: "Allow") == "POST")
            #expect(ConnectError(jsonBody: Data(get.bodyBytes)) == ConnectError(.unimplemented, "HTTP method GET is not supported; use POST"))
            let missing = try await RawHTTP.send("\(server.baseURL)/echo.v1.EchoService/Nope", contentType: "application/json", json: "{}")
            #expect(missing.status == 404)
            let error = await #expect(throws: ConnectError.self) {
                try await server.client().unary("echo.v1.EchoService/Nope", Echo_V1_EchoRequest(), as: Echo_V1_EchoResponse.self)
            }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test func handlersSeeRequestHeadersAndTheCodec() async throws {
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self) { _, call in
                #expect(call.method == EchoService.echo)
                guard call.requestHeaders[.authorization] == "Bearer sesame" else {
                    throw ConnectError(.unauthenticated, "missing or wrong bearer token")
                }
                return Echo_V1_EchoResponse.with { $0.text = "\(call.codec.rawValue) \(call.requestHeaders[values: .init("X-Extra")!])" }
            }
        }) { server in
            let client = server.client(codec: .proto, headers: [("Authorization", "Bearer sesame")])
            let reply = try await client.unary(EchoService.echo, Echo_V1_EchoRequest(), as: Echo_V1_EchoResponse.self,
                                               headers: [("X-Extra", "1")])
            #expect(reply.text == #"proto ["1"]"#)
            let anonymous = await #expect(throws: ConnectError.self) {
                try await server.client().unary(EchoService.echo, Echo_V1_EchoRequest(), as: Echo_V1_EchoResponse.self)
            }
            #expect(anonymous == ConnectError(.unauthenticated, "missing or wrong bearer token"))
        }
    }

    @Test func connectErrorsThrownByMiddlewareAreConnectResponses() async throws {
        struct RequireToken<Context: RequestContext>: RouterMiddleware {
            func handle(_ request: Request, context: Context,
                        next: (Request, Context) async throws -> Response) async throws -> Response {
                guard request.headers[.authorization] == "Bearer ok" else {
                    throw ConnectError(.unauthenticated, "a bearer token is required")
                }
                return try await next(request, context)
            }
        }
        try await TestServer.with({ router in
            router.add(middleware: RequireToken())
            EchoService.register(on: router)
        }) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: "{}")
            #expect(response.status == 401)
            #expect(response.bodyString == #"{"code":"unauthenticated","message":"a bearer token is required"}"#)
            let reply = try await server.client(headers: [("Authorization", "Bearer ok")])
                .unary(EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "in" }, as: Echo_V1_EchoResponse.self)
            #expect(reply.text == "in")
        }
    }

    @Test func transportFailuresAreUnavailable() async throws {
        // A port nothing listens on, and nothing else can take while the test runs.
        let closed = try ClosedPort()
        let client = ConnectClient(baseURL: "http://127.0.0.1:\(closed.port)/")
        let started = ContinuousClock.now
        let error = await #expect(throws: ConnectError.self) {
            try await client.unary(EchoService.echo, Echo_V1_EchoRequest(), as: Echo_V1_EchoResponse.self)
        }
        #expect(error?.code == .unavailable)
        #expect(ContinuousClock.now - started < .seconds(30), "a refused connection is reported at once, not after the 90 s retry loop of a shared client")
        let streamError = await #expect(throws: ConnectError.self) {
            for try await _ in client.serverStream(EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) {}
        }
        #expect(streamError?.code == .unavailable)
        withExtendedLifetime(closed) {}
    }

    @Test func nonConnectErrorBodiesAreMappedFromTheStatus() async throws {
        try await TestServer.with({ router in
            router.post("/echo.v1.EchoService/Echo") { _, _ in
                Response(status: .badGateway, body: .init(byteBuffer: ByteBuffer(string: "<html>upstream down</html>")))
            }
        }) { server in
            let error = await #expect(throws: ConnectError.self) {
                try await server.client().unary(EchoService.echo, Echo_V1_EchoRequest(), as: Echo_V1_EchoResponse.self)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("502") == true)
        }
    }
}
