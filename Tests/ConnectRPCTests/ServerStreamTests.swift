import AsyncHTTPClient
import ConnectRPC
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SwiftProtobuf
import TestSupport
import Testing

@Suite("Server-streaming calls")
struct ServerStreamTests {
    func countURL(_ server: TestServer) -> String { "\(server.baseURL)/\(EchoService.count)" }

    @Test(arguments: ConnectCodec.allCases)
    func messagesArriveInOrderThroughTheClient(codec: ConnectCodec) async throws {
        try await TestServer.with(EchoService.register) { server in
            var numbers: [Int32] = []
            for try await message in server.client(codec: codec).serverStream(
                EchoService.count, Echo_V1_CountRequest.with { $0.count = 25; $0.label = "n" }, as: Echo_V1_CountResponse.self) {
                #expect(message.label == "n")
                numbers.append(message.number)
            }
            #expect(numbers == Array(1...25))

            // An empty stream is just the end-of-stream message.
            var none = 0
            for try await _ in server.client(codec: codec).serverStream(
                EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) { none += 1 }
            #expect(none == 0)
        }
    }

    /// The handler sends message k+1 only after the test has received message k: if the server
    /// buffered its output (no flush per envelope), the test would never see message k and the
    /// handler would give up waiting.
    @Test(arguments: ConnectCodec.allCases)
    func eachMessageIsFlushedAsItIsSent(codec: ConnectCodec) async throws {
        let received = Signal<Int32>()
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { request, _, stream in
                for number in 1...request.count {
                    try await stream.send(.with { $0.number = number })
                    guard number < request.count else { break }
                    guard await received.next(within: .seconds(10)) == number else {
                        throw ConnectError(.deadlineExceeded, "the client did not receive message \(number) while the stream was open")
                    }
                }
            }
        }) { server in
            var numbers: [Int32] = []
            for try await message in server.client(codec: codec).serverStream(
                EchoService.count, Echo_V1_CountRequest.with { $0.count = 5 }, as: Echo_V1_CountResponse.self) {
                numbers.append(message.number)
                received.send(message.number)
            }
            #expect(numbers == [1, 2, 3, 4, 5])
        }
    }

    @Test(arguments: ConnectCodec.allCases)
    func handlerErrorsEndTheStreamWithThatError(codec: ConnectCodec) async throws {
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { _, _, stream in
                try await stream.send(.with { $0.number = 1 })
                try await stream.send(.with { $0.number = 2 })
                throw ConnectError(.failedPrecondition, "session is paused")
            }
        }) { server in
            var numbers: [Int32] = []
            let error = await #expect(throws: ConnectError.self) {
                for try await message in server.client(codec: codec).serverStream(
                    EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) {
                    numbers.append(message.number)
                }
            }
            #expect(numbers == [1, 2])
            #expect(error == ConnectError(.failedPrecondition, "session is paused"))
        }
    }

    @Test func rawConnectJSONEnvelopes() async throws {
        try await TestServer.with(EchoService.register) { server in
            let request = ConnectEnvelope.bytes(flags: 0, Array(#"{"count":2,"label":"x"}"#.utf8))
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ByteBuffer(bytes: request))
            #expect(response.status == 200)
            #expect(response.contentType == "application/connect+json")
            #expect(response.headers.first(name: "Connection") == "close")
            let expected = ConnectEnvelope.bytes(flags: 0, Array(#"{"number":1,"label":"x"}"#.utf8))
                + ConnectEnvelope.bytes(flags: 0, Array(#"{"number":2,"label":"x"}"#.utf8))
                + [0x02, 0, 0, 0, 2] + Array("{}".utf8)
            #expect(response.bodyBytes == expected)
        }
    }

    @Test func rawConnectProtoEnvelopes() async throws {
        try await TestServer.with(EchoService.register) { server in
            let request: [UInt8] = try Echo_V1_CountRequest.with { $0.count = 2 }.serializedBytes()
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+proto",
                                                  body: ByteBuffer(bytes: ConnectEnvelope.bytes(flags: 0, request)))
            #expect(response.status == 200)
            #expect(response.contentType == "application/connect+proto")
            // number = 1 / 2 is field 1, varint: 0x08 0x01 / 0x08 0x02. The trailer is JSON even here.
            let expected = ConnectEnvelope.bytes(flags: 0, [0x08, 0x01]) + ConnectEnvelope.bytes(flags: 0, [0x08, 0x02])
                + [0x02, 0, 0, 0, 2, 0x7B, 0x7D]
            #expect(response.bodyBytes == expected)
        }
    }

    @Test func rawEndOfStreamError() async throws {
        try await TestServer.with(EchoService.register) { server in
            let request = ConnectEnvelope.bytes(flags: 0, Array(#"{"count":-1}"#.utf8))
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ByteBuffer(bytes: request))
            #expect(response.status == 200)
            let payload = Array(#"{"error":{"code":"invalid_argument","message":"count must not be negative"}}"#.utf8)
            #expect(response.bodyBytes == ConnectEnvelope.bytes(flags: 2, payload))
        }
    }

    @Test func otherHandlerErrorsEndTheStreamAsInternal() async throws {
        struct Boom: Error {}
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { _, _, _ in
                throw Boom()
            }
        }) { server in
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ByteBuffer(bytes: ConnectEnvelope.bytes(flags: 0, Array("{}".utf8))))
            let payload = Array(#"{"error":{"code":"internal","message":"internal error"}}"#.utf8)
            #expect(response.bodyBytes == ConnectEnvelope.bytes(flags: 2, payload))
            #expect(server.logs.text.contains("Boom"))
        }
    }

    @Test func badRequestsEndTheStreamWithAnError() async throws {
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self,
                                       options: ConnectServerOptions(maxMessageBytes: 64)) { _, _, _ in
                Issue.record("the handler must not run for a bad request")
            }
        }) { server in
            func endOfStream(_ body: [UInt8], headers: [(String, String)] = []) async throws -> EndOfStreamMessage {
                let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                      body: ByteBuffer(bytes: body), headers: headers)
                #expect(response.status == 200)
                var reader = ConnectEnvelopeReader()
                reader.append(response.body)
                let envelope = try #require(try reader.next())
                #expect(envelope.flags == .endStream)
                return try EndOfStreamMessage(jsonPayload: envelope.payload)
            }
            let valid = ConnectEnvelope.bytes(flags: 0, Array("{}".utf8))
            let cases: [(body: [UInt8], headers: [(String, String)], code: ConnectError.Code)] = [
                ([], [], .invalidArgument),
                ([0, 0, 0], [], .invalidArgument),
                (valid + valid, [], .invalidArgument),
                (ConnectEnvelope.bytes(flags: 0, Array("{nope".utf8)), [], .invalidArgument),
                // Flagged as compressed on a stream that declares no compression.
                (ConnectEnvelope.bytes(flags: 1, [1, 2, 3]), [], .invalidArgument),
                (ConnectEnvelope.bytes(flags: 0, Array(repeating: 0x20, count: 65)), [], .resourceExhausted),
                (valid, [("Connect-Protocol-Version", "2")], .invalidArgument),
                (valid, [("Connect-Content-Encoding", "br")], .unimplemented),
                // gzip is declared but the payload is not gzip.
                (ConnectEnvelope.bytes(flags: 1, [1, 2, 3]), [("Connect-Content-Encoding", "gzip")], .invalidArgument),
            ]
            for (body, headers, code) in cases {
                let end = try await endOfStream(body, headers: headers)
                #expect(end.error?.code == code, "\(body.prefix(8)) \(headers)")
            }
            let truncated = try await endOfStream([0, 0, 0])
            #expect(truncated.error?.message == "the request envelope is truncated (3 bytes)")
        }
    }

    @Test func unaryContentTypesAreRefusedWith415() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(countURL(server), contentType: "application/json", json: #"{"count":1}"#)
            #expect(response.status == 415)
            #expect(ConnectError(jsonBody: Data(response.bodyBytes))?.code == .invalidArgument)
        }
    }

    @Test func deadlineEndsTheStream() async throws {
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { _, _, stream in
                try await stream.send(.with { $0.number = 1 })
                try await Task.sleep(for: .seconds(300))
            }
        }) { server in
            var numbers: [Int32] = []
            let started = ContinuousClock.now
            let error = await #expect(throws: ConnectError.self) {
                for try await message in server.client().serverStream(
                    EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self, timeout: .seconds(10)) {
                    numbers.append(message.number)
                }
            }
            // 10 s leaves a loaded machine time to deliver the first message (3 s was seen to be
            // too short with the whole test suite running on 2 cores); the handler's 300 s sleep is
            // what the deadline must cut short.
            #expect(numbers == [1])
            #expect(error?.code == .deadlineExceeded)
            #expect(ContinuousClock.now - started < .seconds(120))
        }
    }

    /// A watcher that goes away must release the server's handler: its task is cancelled even
    /// while it waits for something to send.
    @Test(arguments: [false, true])
    func clientDisconnectCancelsTheHandler(byCancellingTheTask: Bool) async throws {
        let handlerCancelled = Signal<Bool>()
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { _, _, stream in
                try await stream.send(.with { $0.number = 1 })
                do {
                    try await Task.sleep(for: .seconds(300))
                    handlerCancelled.send(false)
                } catch {
                    handlerCancelled.send(Task.isCancelled)
                    throw error
                }
            }
        }) { server in
            let firstMessage = Signal<Int32>()
            let watcher = Task {
                for try await message in server.client().serverStream(
                    EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) {
                    firstMessage.send(message.number)
                    if !byCancellingTheTask { break }
                }
            }
            #expect(await firstMessage.next() == 1)
            if byCancellingTheTask { watcher.cancel() }
            let outcome = await watcher.result
            if byCancellingTheTask {
                #expect(throws: ConnectError(.canceled, "the call was canceled")) { try outcome.get() }
            }
            #expect(await handlerCancelled.next(within: .seconds(60)) == true)
        }
    }

    @Test func consecutiveStreamsOnTheSharedClientWork() async throws {
        try await TestServer.with(EchoService.register) { server in
            let client = server.client(codec: .proto)
            for round in 1...5 {
                var count = 0
                for try await _ in client.serverStream(EchoService.count, Echo_V1_CountRequest.with { $0.count = Int32(round) },
                                                       as: Echo_V1_CountResponse.self) { count += 1 }
                #expect(count == round)
                let reply = try await client.unary(EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "r\(round)" },
                                                   as: Echo_V1_EchoResponse.self)
                #expect(reply.text == "r\(round)")
            }
        }
    }

    @Test func errorsBeforeTheStreamStartsReachTheClient() async throws {
        try await TestServer.with(EchoService.register) { server in
            let error = await #expect(throws: ConnectError.self) {
                for try await _ in server.client().serverStream(
                    "echo.v1.EchoService/Missing", Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) {}
            }
            #expect(error?.code == .unimplemented)
        }
    }
}
