import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf

/// Serves one unary method: authorises the call on its headers, validates the request, decodes
/// the message, runs the handler under the caller's deadline and answers with the response
/// message or a Connect error. It never throws; every failure becomes a Connect error response.
struct ConnectUnaryResponder<Input: Message, Output: Message>: Sendable {
    typealias Handler = @Sendable (Input, ConnectCall) async throws -> Output

    let method: String
    let options: ConnectServerOptions
    let handler: Handler

    func respond(to request: Request, logger: Logger) async -> Response {
        let (response, code) = await answer(request, logger: logger)
        options.observer?.connectCallFinished(method: method, code: code)
        return response
    }

    /// The response, and the Connect code it carries (nil for success).
    private func answer(_ request: Request, logger: Logger) async -> (Response, ConnectError.Code?) {
        let arrival = ContinuousClock.now
        let headers = request.headers
        guard let contentType = headers[.contentType].flatMap(ConnectContentType.init), !contentType.isStreaming else {
            return (ConnectUnaryResponder.unsupportedMediaType(headers[.contentType]), .invalidArgument)
        }
        let codec = contentType.codec
        var request = request
        do {
            // Before anything is read: an unauthorised caller costs no body and learns nothing.
            try options.authorize?(headers)
            try ConnectRequestValidation.checkProtocolVersion(headers)
            do {
                try ConnectRequestValidation.checkEncoding(headers, field: .contentEncoding)
            } catch {
                return (error.httpResponse(extraHeaders: [.acceptEncoding: "identity"]), error.code)
            }
            let timeout = try ConnectRequestValidation.timeout(headers)
            let body = try await ConnectRequestValidation.collectBody(
                &request, limit: options.maxMessageBytes, what: "request message")
            let input = try ConnectRequestValidation.decode(Input.self, from: body, codec: codec)
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
            return (Response(status: .ok, headers: [.contentType: codec.unaryContentType],
                             body: .init(byteBuffer: responseBody)), nil)
        } catch {
            let failure = ConnectHandlerError.connectError(from: error, method: method, logger: logger)
            return (failure.httpResponse(), failure.code)
        }
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
