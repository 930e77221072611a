import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf

/// Serves one unary method: authorises the call on its headers, validates the request, decodes
/// the message, runs the handler under the caller's deadline and answers with the response
/// message or a Connect error. It never throws; every failure becomes a Connect error response.
///
/// A call arrives as a POST (the message is the body, `Content-Encoding` its compression) or, for
/// methods that allow it, as a GET (the message and its codec and compression in the query; see
/// ``ConnectGetRequest``). Both then take the same path. The response is compressed when the
/// client accepts a compression (`Accept-Encoding`, or else the one it sent) and the message is
/// at least ``ConnectServerOptions/compressMinBytes``.
struct ConnectUnaryResponder<Input: Message, Output: Message>: Sendable {
    typealias Handler = @Sendable (Input, ConnectCall) async throws -> Output

    let method: String
    let options: ConnectServerOptions
    let handler: Handler

    /// A POST call.
    func respond(to request: Request, logger: Logger) async -> Response {
        let (response, code) = await answerPost(request, logger: logger)
        options.observer?.connectCallFinished(method: method, code: code)
        return response
    }

    /// A GET call (registered only for methods with no side effects).
    func respondToGet(_ request: Request, logger: Logger) async -> Response {
        var (response, code) = await answerGet(request, logger: logger)
        // The body may depend on Accept-Encoding: tell caches so.
        response.headers[.vary] = "Accept-Encoding"
        options.observer?.connectCallFinished(method: method, code: code)
        return response
    }

    /// The response, and the Connect code it carries (nil for success).
    private func answerPost(_ request: Request, logger: Logger) async -> (Response, ConnectError.Code?) {
        let arrival = ContinuousClock.now
        let headers = request.headers
        guard let contentType = headers[.contentType].flatMap(ConnectContentType.init), !contentType.isStreaming else {
            return (Self.unsupportedMediaType(headers[.contentType]), .invalidArgument)
        }
        var request = request
        do throws(ConnectError) {
            // Before anything is read: an unauthorised caller costs no body and learns nothing.
            try options.authorize?(headers)
            try ConnectRequestValidation.checkProtocolVersion(headers)
            let compression: ConnectCompression?
            do throws(ConnectError) {
                compression = try ConnectCompression.requested(headers[.contentEncoding], field: "content-encoding")
            } catch {
                return (Self.unsupportedCompression(error), error.code)
            }
            let timeout = try ConnectRequestValidation.timeout(headers)
            let body = try await ConnectRequestValidation.collectBody(
                &request, limit: options.maxMessageBytes, what: "request message")
            let payload = try compression?.decompress(body, limit: options.maxMessageBytes, what: "request message") ?? body
            let responseCompression = ConnectCompression.negotiateResponse(
                accept: headers[.acceptEncoding], requestCompression: compression)
            return await run(payload: payload, codec: contentType.codec, headers: headers, timeout: timeout,
                             arrival: arrival, responseCompression: responseCompression, logger: logger)
        } catch {
            return (error.httpResponse(), error.code)
        }
    }

    private func answerGet(_ request: Request, logger: Logger) async -> (Response, ConnectError.Code?) {
        let arrival = ContinuousClock.now
        let headers = request.headers
        let query = ConnectGetQuery(request.uri.query)
        do throws(ConnectError) {
            guard let codec = try ConnectGetRequest.codec(in: query) else {
                let got = (try? query.string("encoding")).flatMap { $0 } ?? ""
                return (Self.unsupportedGetEncoding(got), .invalidArgument)
            }
            try options.authorize?(headers)
            try ConnectRequestValidation.checkProtocolVersion(headers)
            let getRequest: ConnectGetRequest
            do throws(ConnectError) {
                getRequest = try ConnectGetRequest(query: query)
            } catch where error.code == .unimplemented {
                return (Self.unsupportedCompression(error), error.code)
            }
            let timeout = try ConnectRequestValidation.timeout(headers)
            guard getRequest.message.readableBytes <= options.maxMessageBytes else {
                throw ConnectError(.resourceExhausted, "request message exceeds the limit of \(options.maxMessageBytes) bytes")
            }
            let payload = try getRequest.compression?.decompress(
                getRequest.message, limit: options.maxMessageBytes, what: "request message") ?? getRequest.message
            let responseCompression = ConnectCompression.negotiateResponse(
                accept: headers[.acceptEncoding], requestCompression: getRequest.compression)
            return await run(payload: payload, codec: codec, headers: headers, timeout: timeout,
                             arrival: arrival, responseCompression: responseCompression, logger: logger)
        } catch {
            return (error.httpResponse(), error.code)
        }
    }

    /// Decodes `payload`, runs the handler and encodes (and maybe compresses) its answer.
    private func run(payload: ByteBuffer, codec: ConnectCodec, headers: HTTPFields, timeout: Duration?,
                     arrival: ContinuousClock.Instant, responseCompression: ConnectCompression?,
                     logger: Logger) async -> (Response, ConnectError.Code?) {
        do {
            let input = try ConnectRequestValidation.decode(Input.self, from: payload, codec: codec)
            let call = ConnectCall(method: method, requestHeaders: headers, codec: codec, timeout: timeout,
                                   deadline: timeout.map { arrival + $0 }, logger: logger)
            let handler = self.handler
            let output = try await withConnectDeadline(call.deadline, timeout: timeout) {
                try await handler(input, call)
            }
            let responseBody: ByteBuffer
            do {
                responseBody = try codec.encode(output)
            } catch {
                throw ConnectHandlerError.connectError(from: error, method: method, logger: logger)
            }
            var responseHeaders: HTTPFields = [.contentType: codec.unaryContentType]
            let compressor = ConnectMessageCompressor(compression: responseCompression, minBytes: options.compressMinBytes)
            var body = responseBody
            if let compression = responseCompression, let compressed = compressor.compressIfWorthwhile(responseBody) {
                responseHeaders[.contentEncoding] = compression.rawValue
                body = compressed
            }
            return (Response(status: .ok, headers: responseHeaders, body: .init(byteBuffer: body)), nil)
        } catch {
            let failure = ConnectHandlerError.connectError(from: error, method: method, logger: logger)
            return (failure.httpResponse(), failure.code)
        }
    }

    /// `unimplemented` (501) for a compression this server lacks, with `Accept-Encoding` listing
    /// the ones it has, as the protocol asks.
    static func unsupportedCompression(_ error: ConnectError) -> Response {
        error.httpResponse(extraHeaders: [.acceptEncoding: ConnectCompression.acceptedNames])
    }

    /// 415 for a GET whose `encoding` names a codec this server lacks, as the protocol asks.
    static func unsupportedGetEncoding(_ received: String) -> Response {
        ConnectError(.invalidArgument, "unsupported encoding \"\(received)\"; use encoding=json or encoding=proto")
            .httpResponse(status: .unsupportedMediaType)
    }

    /// 415 with `Accept-Post` listing what is accepted, and a Connect error body explaining it.
    static func unsupportedMediaType(_ received: String?) -> Response {
        let got = received.map { "\"\($0)\"" } ?? "no content type"
        return ConnectError(.invalidArgument,
                            "unsupported content type \(got); use application/json or application/proto")
            .httpResponse(status: .unsupportedMediaType,
                          extraHeaders: [.acceptPost: "application/json, application/proto"])
    }
}

extension HTTPField.Name {
    /// `Accept-Post` (RFC 5789): the media types a POST endpoint accepts.
    static let acceptPost = HTTPField.Name("Accept-Post")!
}
