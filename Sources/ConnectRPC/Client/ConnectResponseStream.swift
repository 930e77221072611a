import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SwiftProtobuf

extension ConnectClient {
    /// Calls a server-streaming method. Nothing is sent until the sequence is iterated; each
    /// message is yielded as soon as its envelope has arrived.
    ///
    /// The sequence ends normally on a successful end-of-stream message and throws its error
    /// (as ``ConnectError``) otherwise. Cancelling the iterating task, or abandoning the
    /// iteration, closes the HTTP request.
    public func serverStream<Request: Message, Response: Message>(
        _ method: String,
        _ request: Request,
        as responseType: Response.Type = Response.self,
        timeout: Duration? = nil,
        headers callHeaders: [(String, String)] = []
    ) -> ConnectResponseStream<Response> {
        ConnectResponseStream(client: self, method: method, timeout: timeout) { client in
            let payload: ByteBuffer
            do {
                payload = try client.codec.encode(request)
            } catch {
                throw ConnectError(.internal, "cannot encode \(Request.protoMessageName): \(error)")
            }
            var protocolHeaders: [(String, String)] = []
            if let sendCompression = client.sendCompression {
                protocolHeaders.append(("Connect-Content-Encoding", sendCompression.rawValue))
            }
            if let accept = client.acceptEncodingHeaderValue {
                protocolHeaders.append(("Connect-Accept-Encoding", accept))
            }
            let compressor = ConnectMessageCompressor(compression: client.sendCompression, minBytes: 1)
            return client.makeRequest(method, contentType: client.codec.streamContentType,
                                      body: compressor.envelope(payload).framed, timeout: timeout,
                                      protocolHeaders: protocolHeaders, headers: callHeaders)
        }
    }
}

/// The messages of one server-streaming call (see ``ConnectClient/serverStream(_:_:as:timeout:headers:)``).
///
/// Each iteration makes its own HTTP request.
public struct ConnectResponseStream<Element: Message>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    let client: ConnectClient
    let method: String
    let timeout: Duration?
    let makeRequest: @Sendable (ConnectClient) throws -> HTTPClientRequest

    init(client: ConnectClient, method: String, timeout: Duration?,
         makeRequest: @escaping @Sendable (ConnectClient) throws -> HTTPClientRequest) {
        self.client = client
        self.method = method
        self.timeout = timeout
        self.makeRequest = makeRequest
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ConnectResponseStream
        private var body: HTTPClientResponse.Body.AsyncIterator?
        private var reader: ConnectEnvelopeReader
        /// The response's `Connect-Content-Encoding`, for envelopes flagged as compressed.
        private var compression: ConnectCompression?
        private var finished = false

        init(stream: ConnectResponseStream) {
            self.stream = stream
            self.reader = ConnectEnvelopeReader(maxPayloadBytes: stream.client.maxMessageBytes)
        }

        /// The next message; `nil` after a successful end of stream.
        /// - Throws: ``ConnectError`` (only).
        public mutating func next() async throws -> Element? {
            guard !finished else { return nil }
            let url = "\(stream.client.baseURL)/\(stream.method)"
            do {
                if body == nil {
                    let (started, declared) = try await start(url: url)
                    body = started
                    compression = declared
                }
                while true {
                    if let envelope = try reader.next() {
                        return try message(from: envelope, url: url)
                    }
                    guard let chunk = try await body!.next() else {
                        if Task.isCancelled { throw CancellationError() }
                        throw ConnectError(.unavailable, "the stream from \(url) ended without an end-of-stream message")
                    }
                    reader.append(chunk)
                }
            } catch {
                finished = true
                body = nil
                throw ConnectClient.connectError(from: error, url: url)
            }
        }

        /// Sends the request and checks the response head; returns the body and its compression.
        private func start(url: String) async throws -> (HTTPClientResponse.Body.AsyncIterator, ConnectCompression?) {
            let client = stream.client
            let request = try stream.makeRequest(client)
            let response = try await client.httpClient.execute(
                request, deadline: ConnectClient.transportDeadline(for: stream.timeout))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: client.maxMessageBytes)
                throw ConnectClient.unaryError(status: response.status, body: body)
            }
            let contentType = response.headers.first(name: "Content-Type").flatMap(ConnectContentType.init)
            guard contentType == ConnectContentType(codec: client.codec, isStreaming: true) else {
                throw ConnectError(.internal, "unexpected response content type \"\(response.headers.first(name: "Content-Type") ?? "")\" from \(url)")
            }
            let compression = try ConnectClient.responseCompression(
                response.headers.first(name: "Connect-Content-Encoding"), header: "connect-content-encoding", url: url)
            return (response.body.makeAsyncIterator(), compression)
        }

        /// A message envelope's message, or the end of the stream (`nil`, or its error thrown).
        private mutating func message(from envelope: ConnectEnvelope, url: String) throws -> Element? {
            let payload = try envelope.decompressedPayload(
                compression: compression, limit: stream.client.maxMessageBytes,
                what: envelope.flags.contains(.endStream) ? "the end-of-stream message from \(url)" : "a message from \(url)",
                protocolErrorCode: .internal)
            if envelope.flags.contains(.endStream) {
                finished = true
                body = nil
                let end = try EndOfStreamMessage(jsonPayload: payload)
                if let error = end.error { throw error }
                return nil
            }
            do {
                return try stream.client.codec.decode(Element.self, from: payload)
            } catch {
                throw ConnectError(.internal, "malformed \(Element.protoMessageName) from \(url): \(error)")
            }
        }
    }
}
