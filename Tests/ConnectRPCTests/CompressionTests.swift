import ConnectRPC
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SwiftProtobuf
import Testing

/// gzip on the wire: request bodies and envelopes decompressed within the limits, responses
/// compressed when the client accepts it, and the refusals.
@Suite("gzip compression")
struct CompressionTests {
    func echoURL(_ server: TestServer) -> String { "\(server.baseURL)/\(EchoService.echo)" }
    func countURL(_ server: TestServer) -> String { "\(server.baseURL)/\(EchoService.count)" }

    static func gzip(_ text: String) -> ByteBuffer { ConnectCompression.gzip.compress(ByteBuffer(string: text)) }
    static func gunzip(_ buffer: ByteBuffer) throws -> String {
        String(buffer: try ConnectCompression.gzip.decompress(buffer, limit: 16 << 20, what: "test"))
    }

    /// Echo, plus the request's Content-Encoding in `tags`, so tests see what the server received.
    static func registerEchoReportingEncoding(on router: Router<BasicRequestContext>) {
        router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self) { request, call in
            var reply = EchoService.echoReply(request)
            reply.tags.append("content-encoding=\(call.requestHeaders[.contentEncoding] ?? "none")")
            return reply
        }
    }

    // MARK: Unary

    @Test func gzipRequestBodiesAreDecompressed() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json",
                                                  body: Self.gzip(#"{"text":"zipped"}"#),
                                                  headers: [("Content-Encoding", "gzip"), ("Accept-Encoding", "identity")])
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Content-Encoding") == nil)
            #expect(response.bodyString == #"{"text":"zipped","textLength":6}"#)

            // Zero-length content is never decompressed: it is the empty message.
            let empty = try await RawHTTP.send(echoURL(server), contentType: "application/proto",
                                               headers: [("Content-Encoding", "gzip")])
            #expect(empty.status == 200)
            #expect(empty.bodyBytes.isEmpty)
        }
    }

    @Test func responsesAreGzippedWhenAcceptedAndLargeEnough() async throws {
        try await TestServer.with(EchoService.register) { server in
            let large = #"{"text":"abcdefgh","repeatCount":300}"#  // a reply of ~2.7 KiB
            let zipped = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: large,
                                                headers: [("Accept-Encoding", "br, gzip")])
            #expect(zipped.status == 200)
            #expect(zipped.headers.first(name: "Content-Encoding") == "gzip")
            #expect(zipped.bodyBytes.count < 1024)
            let reply = try Echo_V1_EchoResponse(jsonString: try Self.gunzip(zipped.body))
            #expect(reply.textLength == 300 * 9 - 1)

            // Under the 1 KiB threshold: plain, although gzip is accepted.
            let small = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: #"{"text":"hi"}"#,
                                               headers: [("Accept-Encoding", "gzip")])
            #expect(small.headers.first(name: "Content-Encoding") == nil)
            #expect(small.bodyString == #"{"text":"hi","textLength":2}"#)

            // Not accepted (no header, identity first, or q=0): plain.
            for accept in [nil, "identity, gzip", "gzip;q=0"] as [String?] {
                let plain = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: large,
                                                   headers: accept.map { [("Accept-Encoding", $0)] } ?? [])
                #expect(plain.headers.first(name: "Content-Encoding") == nil, "\(accept ?? "no header")")
                #expect(try Echo_V1_EchoResponse(jsonString: plain.bodyString).textLength == 300 * 9 - 1)
            }

            // A gzip request without Accept-Encoding is assumed to accept gzip back.
            let symmetric = try await RawHTTP.send(echoURL(server), contentType: "application/json",
                                                   body: Self.gzip(large), headers: [("Content-Encoding", "gzip")])
            #expect(symmetric.headers.first(name: "Content-Encoding") == "gzip")
        }
    }

    /// ~10 KiB of gzip that inflates to ~10 MiB, against a 64 KiB limit: refused once the output
    /// passes the limit, before the handler sees anything.
    @Test func decompressedSizeIsLimited() async throws {
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self,
                                options: ConnectServerOptions(maxMessageBytes: 64 << 10)) { _, _ in
                Issue.record("the handler must not run for an oversized request")
                return Echo_V1_EchoResponse()
            }
        }) { server in
            let bomb = Self.gzip(#"{"text":"\#(String(repeating: "a", count: 10 << 20))"}"#)
            #expect(bomb.readableBytes < 64 << 10, "the compressed body itself is within the limit")
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", body: bomb,
                                                  headers: [("Content-Encoding", "gzip")])
            #expect(response.status == 429)
            #expect(ConnectError(jsonBody: Data(response.bodyBytes)) == ConnectError(
                .resourceExhausted, "request message exceeds the limit of 65536 bytes after gzip decompression"))
        }
    }

    @Test func bodiesThatAreNotGzipAreInvalidArgument() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(echoURL(server), contentType: "application/json", json: #"{"text":"plain"}"#,
                                                  headers: [("Content-Encoding", "gzip")])
            #expect(response.status == 400)
            let error = try #require(ConnectError(jsonBody: Data(response.bodyBytes)))
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("request message could not be decompressed with gzip"), "\(error.message)")
        }
    }

    @Test(arguments: ConnectCodec.allCases)
    func clientSendsAndAcceptsGzip(codec: ConnectCodec) async throws {
        try await TestServer.with(Self.registerEchoReportingEncoding) { server in
            let client = ConnectClient(baseURL: server.baseURL, codec: codec,
                                       sendCompression: .gzip, acceptCompression: [.gzip])
            let reply = try await client.unary(
                EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "abcdefgh"; $0.repeatCount = 300 },
                as: Echo_V1_EchoResponse.self)
            #expect(reply.textLength == 300 * 9 - 1)
            #expect(reply.tags == ["content-encoding=gzip"])

            // The default client neither compresses nor asks for compression.
            let plain = try await server.client(codec: codec).unary(
                EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "x" }, as: Echo_V1_EchoResponse.self)
            #expect(plain.tags == ["content-encoding=none"])
        }
    }

    // MARK: Streams

    @Test func compressedRequestEnvelopesAreDecompressed() async throws {
        try await TestServer.with(EchoService.register) { server in
            let payload = Self.gzip(#"{"count":2,"label":"z"}"#)
            let body = ConnectEnvelope(flags: .compressed, payload: payload).framed
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json", body: body,
                                                  headers: [("Connect-Content-Encoding", "gzip"),
                                                            ("Connect-Accept-Encoding", "identity")])
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Connect-Content-Encoding") == nil)
            let envelopes = try Self.envelopes(response.body)
            #expect(envelopes.map(\.flags) == [[], [], .endStream])
            #expect(envelopes.map { String(buffer: $0.payload) } == [#"{"number":1,"label":"z"}"#, #"{"number":2,"label":"z"}"#, "{}"])
        }
    }

    /// Envelopes of at least 1 KiB are compressed and flagged; smaller ones, like `{}`, are not.
    @Test func responseEnvelopesAreCompressedWhenAccepted() async throws {
        try await TestServer.with(EchoService.register) { server in
            let label = String(repeating: "L", count: 2000)
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ConnectEnvelope(payload: ByteBuffer(string: #"{"count":2,"label":"\#(label)"}"#)).framed,
                                                  headers: [("Connect-Accept-Encoding", "gzip")])
            #expect(response.headers.first(name: "Connect-Content-Encoding") == "gzip")
            let envelopes = try Self.envelopes(response.body)
            #expect(envelopes.map(\.flags) == [.compressed, .compressed, .endStream])
            #expect(try Self.gunzip(envelopes[1].payload) == #"{"number":2,"label":"\#(label)"}"#)
            #expect(envelopes[0].payload.readableBytes < 200)
        }
    }

    /// The end-of-stream envelope is compressed like the others when it is large: flags 0x03.
    @Test func largeEndOfStreamMessagesAreCompressedToo() async throws {
        let longMessage = String(repeating: "why ", count: 400)
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { _, _, _ in
                throw ConnectError(.failedPrecondition, longMessage)
            }
        }) { server in
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ConnectEnvelope(payload: ByteBuffer(string: "{}")).framed,
                                                  headers: [("Connect-Accept-Encoding", "gzip")])
            let envelopes = try Self.envelopes(response.body)
            #expect(envelopes.map(\.flags) == [[.endStream, .compressed]])
            let end = try EndOfStreamMessage(jsonPayload: ByteBuffer(string: try Self.gunzip(envelopes[0].payload)))
            #expect(end.error == ConnectError(.failedPrecondition, longMessage))

            // The client decompresses it and surfaces the error.
            let client = ConnectClient(baseURL: server.baseURL, acceptCompression: [.gzip])
            let error = await #expect(throws: ConnectError.self) {
                for try await _ in client.serverStream(EchoService.count, Echo_V1_CountRequest(), as: Echo_V1_CountResponse.self) {}
            }
            #expect(error == ConnectError(.failedPrecondition, longMessage))
        }
    }

    @Test func compressedRequestEnvelopesAreLimitedAfterDecompression() async throws {
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self,
                                       options: ConnectServerOptions(maxMessageBytes: 64 << 10)) { _, _, _ in
                Issue.record("the handler must not run for an oversized request")
            }
        }) { server in
            let bomb = Self.gzip(#"{"label":"\#(String(repeating: "b", count: 10 << 20))"}"#)
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ConnectEnvelope(flags: .compressed, payload: bomb).framed,
                                                  headers: [("Connect-Content-Encoding", "gzip")])
            #expect(response.status == 200)
            let end = try EndOfStreamMessage(jsonPayload: try #require(Self.envelopes(response.body).last).payload)
            #expect(end.error == ConnectError(.resourceExhausted,
                                              "request message exceeds the limit of 65536 bytes after gzip decompression"))
        }
    }

    @Test func unsupportedStreamEncodingIsUnimplemented() async throws {
        try await TestServer.with(EchoService.register) { server in
            let response = try await RawHTTP.send(countURL(server), contentType: "application/connect+json",
                                                  body: ConnectEnvelope(payload: ByteBuffer(string: "{}")).framed,
                                                  headers: [("Connect-Content-Encoding", "snappy")])
            #expect(response.headers.first(name: "Connect-Accept-Encoding") == "gzip")
            let end = try EndOfStreamMessage(jsonPayload: try #require(Self.envelopes(response.body).last).payload)
            #expect(end.error == ConnectError(
                .unimplemented, #"connect-content-encoding "snappy" is not supported; supported encodings are gzip, identity"#))
        }
    }

    @Test(arguments: ConnectCodec.allCases)
    func clientStreamsWithGzipBothWays(codec: ConnectCodec) async throws {
        let label = String(repeating: "q", count: 1500)
        try await TestServer.with({ router in
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { request, call, stream in
                #expect(call.requestHeaders[.connectContentEncoding] == "gzip")
                for number in 1...request.count {
                    try await stream.send(.with { $0.number = number; $0.label = request.label })
                }
            }
        }) { server in
            let client = ConnectClient(baseURL: server.baseURL, codec: codec, sendCompression: .gzip, acceptCompression: [.gzip])
            var numbers: [Int32] = []
            for try await message in client.serverStream(
                EchoService.count, Echo_V1_CountRequest.with { $0.count = 3; $0.label = label }, as: Echo_V1_CountResponse.self) {
                #expect(message.label == label)
                numbers.append(message.number)
            }
            #expect(numbers == [1, 2, 3])
        }
    }

    static func envelopes(_ body: ByteBuffer) throws -> [ConnectEnvelope] {
        var reader = ConnectEnvelopeReader()
        reader.append(body)
        var envelopes: [ConnectEnvelope] = []
        while let envelope = try reader.next() { envelopes.append(envelope) }
        #expect(reader.bufferedByteCount == 0)
        return envelopes
    }
}
