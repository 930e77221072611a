import HTTPTypes
import Hummingbird
import NIOCore

/// A `ConnectError` thrown anywhere in a Hummingbird responder chain — a handler, or a middleware
/// such as an authentication check in front of the Connect routes — is answered as a Connect
/// unary error: the code's HTTP status and `{"code": ..., "message": ...}` as `application/json`.
extension ConnectError: HTTPResponseError {
    public var status: HTTPResponse.Status { code.httpResponseStatus }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        httpResponse()
    }

    /// The unary error response, with `extraHeaders` added (for example `Accept-Encoding`).
    public func httpResponse(status: HTTPResponse.Status? = nil, extraHeaders: HTTPFields = [:]) -> Response {
        let body = ByteBuffer(bytes: jsonBody)
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extraHeaders)
        return Response(status: status ?? self.status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension ConnectError.Code {
    /// ``httpStatus`` as an `HTTPTypes` status (499 is "Client Closed Request").
    public var httpResponseStatus: HTTPResponse.Status {
        switch httpStatus {
        case 499: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        case let code: HTTPResponse.Status(code: code)
        }
    }
}
