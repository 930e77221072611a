import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf

/// Serves one server-streaming method.
///
/// Compression: a request envelope flagged as compressed is decompressed with the request's
/// `Connect-Content-Encoding` (within ``ConnectServerOptions/maxMessageBytes``); when the client
/// accepts a compression (`Connect-Accept-Encoding`, or else the one it sent), the response
/// declares it in `Connect-Content-Encoding` and every envelope of at least
/// ``ConnectServerOptions/compressMinBytes`` — the end-of-stream one included — is compressed and
/// flagged, as the protocol allows; smaller ones stay as they are.
///
/// Error reporting: a request whose `Content-Type` is not `application/connect+json|proto` gets an
/// ordinary HTTP 415 (it is not a Connect streaming call at all). Every other failure — a bad
/// protocol version, timeout or encoding header, an oversized or malformed request envelope, the
/// handler's own errors, an expired deadline — is reported the streaming way: HTTP 200, then an
/// end-of-stream envelope carrying the error, which every Connect client surfaces with its exact
/// code and message.
///
/// The handler runs while the response body is being written, under
/// `consumeWithCancellationOnInboundClose`: when the client closes the connection the handler's
/// task is cancelled and its pending `send` fails. This needs the request body as Hummingbird
/// delivered it (collected or untouched); a middleware must not replace it with a new stream.
struct ConnectServerStreamResponder<Input: Message, Output: Message>: Sendable {
    typealias Handler = @Sendable (Input, ConnectCall, ConnectServerStream<Output>) async throws -> Void

    let method: String
    let options: ConnectServerOptions
    let handler: Handler

    func respond(to request: Request, logger: Logger) async -> Response {
        let arrival = ContinuousClock.now
        let headers = request.headers
        guard let contentType = headers[.contentType].flatMap(ConnectContentType.init), contentType.isStreaming else {
            let got = headers[.contentType].map { "\"\($0)\"" } ?? "no content type"
            options.observer?.connectCallFinished(method: method, code: .invalidArgument)
            return ConnectError(.invalidArgument,
                                "unsupported content type \(got); use application/connect+json or application/connect+proto")
                .httpResponse(status: .unsupportedMediaType,
                              extraHeaders: [.acceptPost: "application/connect+json, application/connect+proto"])
        }
        let codec = contentType.codec
        var request = request
        let prepared: Result<(Input, ConnectCall), ConnectError>
        let requestCompression = Result { () throws(ConnectError) in
            try ConnectCompression.requested(headers[.connectContentEncoding], field: "connect-content-encoding")
        }
        let responseCompressor = ConnectMessageCompressor(
            compression: ConnectCompression.negotiateResponse(
                accept: headers[.connectAcceptEncoding], requestCompression: (try? requestCompression.get()) ?? nil),
            minBytes: options.compressMinBytes)
        do throws(ConnectError) {
            // Before anything is read: an unauthorised caller costs no body and learns nothing.
            try options.authorize?(headers)
            try ConnectRequestValidation.checkProtocolVersion(headers)
            let compression = try requestCompression.get()
            let timeout = try ConnectRequestValidation.timeout(headers)
            let body = try await ConnectRequestValidation.collectBody(
                &request, limit: options.maxMessageBytes + ConnectEnvelope.headerLength, what: "request envelope")
            let payload = try Self.singleEnvelopePayload(body, limit: options.maxMessageBytes, compression: compression)
            let input = try ConnectRequestValidation.decode(Input.self, from: payload, codec: codec)
            let call = ConnectCall(method: method, requestHeaders: headers, codec: codec, timeout: timeout,
                                   deadline: timeout.map { arrival + $0 }, logger: logger)
            prepared = .success((input, call))
        } catch {
            prepared = .failure(error)
        }

        var responseHeaders: HTTPFields = [.contentType: contentType.headerValue]
        if options.closeHTTP1ConnectionAfterStream { responseHeaders[.connection] = "close" }
        if let compression = responseCompressor.compression {
            responseHeaders[.connectContentEncoding] = compression.rawValue
        }
        if case .failure(let error) = prepared, error.code == .unimplemented {
            responseHeaders[.connectAcceptEncoding] = ConnectCompression.acceptedNames
        }
        let collectedRequest = request
        let observer = options.observer
        let method = self.method
        return Response(status: .ok, headers: responseHeaders, body: ResponseBody { writer in
            var outcome: ConnectError? = ConnectError(.canceled)
            defer { observer?.connectCallFinished(method: method, code: outcome?.code) }
            switch prepared {
            case .failure(let error):
                outcome = error
                try await writer.write(EndOfStreamMessage(error: error).envelope(compressor: responseCompressor).framed)
            case .success(let (input, call)):
                outcome = try await collectedRequest.body.consumeWithCancellationOnInboundClose { _ in
                    try await self.stream(input, call: call, compressor: responseCompressor, to: &writer)
                }
            }
            try await writer.finish(nil)
        })
    }

    /// Runs the handler in a child task while this task writes what it sends, then writes the
    /// end-of-stream envelope. Returns the error the stream ended with (nil for success); throws
    /// when the client went away.
    @discardableResult
    private func stream(_ input: Input, call: ConnectCall, compressor: ConnectMessageCompressor,
                        to writer: inout any ResponseBodyWriter) async throws -> ConnectError? {
        let outbox = EnvelopeOutbox()
        let stream = ConnectServerStream<Output>(codec: call.codec, compressor: compressor, outbox: outbox)
        let handler = self.handler
        let method = self.method
        let outcome: ConnectError? = try await withThrowingTaskGroup(of: ConnectError?.self) { group in
            group.addTask {
                defer { outbox.finish() }
                do {
                    try await withConnectDeadline(call.deadline, timeout: call.timeout) {
                        try await handler(input, call, stream)
                    }
                    return nil
                } catch {
                    return ConnectHandlerError.connectError(from: error, method: method, logger: call.logger)
                }
            }
            while let pending = await outbox.next() {
                do {
                    try await writer.write(pending.frame)
                    pending.continuation.resume()
                } catch {
                    // The client is gone: stop the handler, fail its sends, give up the response.
                    let reason = ConnectError(.canceled, "the client closed the stream")
                    pending.continuation.resume(throwing: reason)
                    outbox.close(reason)
                    group.cancelAll()
                    throw error
                }
            }
            return try await group.next() ?? nil
        }
        try await writer.write(EndOfStreamMessage(error: outcome).envelope(compressor: compressor).framed)
        return outcome
    }

    /// The payload of the one envelope a server-streaming request must consist of, decompressed
    /// (within `limit`) when it is flagged as compressed.
    static func singleEnvelopePayload(_ body: ByteBuffer, limit: Int,
                                      compression: ConnectCompression?) throws(ConnectError) -> ByteBuffer {
        var reader = ConnectEnvelopeReader(maxPayloadBytes: limit)
        reader.append(body)
        guard let envelope = try reader.next() else {
            throw ConnectError(.invalidArgument,
                               body.readableBytes == 0
                                   ? "the request has no message envelope"
                                   : "the request envelope is truncated (\(body.readableBytes) bytes)")
        }
        guard reader.bufferedByteCount == 0 else {
            throw ConnectError(.invalidArgument, "a server-streaming request must contain exactly one message envelope")
        }
        if envelope.flags.contains(.endStream) {
            throw ConnectError(.invalidArgument, "the request envelope has the end-of-stream flag set")
        }
        return try envelope.decompressedPayload(compression: compression, limit: limit, what: "request message",
                                                protocolErrorCode: .invalidArgument)
    }
}
