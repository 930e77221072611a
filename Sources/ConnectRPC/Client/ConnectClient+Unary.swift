import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftProtobuf

extension ConnectClient {
    /// Calls a unary method: `POST <baseURL>/<method>` with the client's codec, compressing the
    /// request with ``sendCompression`` and accepting ``acceptCompression`` for the response.
    ///
    /// - Parameters:
    ///   - method: `package.Service/Method`.
    ///   - timeout: sent as `Connect-Timeout-Ms`; the call fails with `deadline_exceeded` when it
    ///     passes.
    ///   - headers: extra headers for this call only.
    /// - Throws: ``ConnectError`` (only).
    public func unary<Request: Message, Response: Message>(
        _ method: String,
        _ request: Request,
        as responseType: Response.Type = Response.self,
        timeout: Duration? = nil,
        headers callHeaders: [(String, String)] = []
    ) async throws -> Response {
        let url = "\(baseURL)/\(method)"
        do {
            var body: ByteBuffer
            do {
                body = try codec.encode(request)
            } catch {
                throw ConnectError(.internal, "cannot encode \(Request.protoMessageName): \(error)")
            }
            var protocolHeaders: [(String, String)] = []
            if let accept = acceptEncodingHeaderValue { protocolHeaders.append(("Accept-Encoding", accept)) }
            if let sendCompression, body.readableBytes > 0 {
                body = sendCompression.compress(body)
                protocolHeaders.append(("Content-Encoding", sendCompression.rawValue))
            }
            let httpRequest = makeRequest(method, contentType: codec.unaryContentType, body: body, timeout: timeout,
                                          protocolHeaders: protocolHeaders, headers: callHeaders)
            let response = try await httpClient.execute(httpRequest, deadline: Self.transportDeadline(for: timeout))
            let contentEncoding = response.headers.first(name: "Content-Encoding")
            let rawBody = try await response.body.collect(upTo: maxMessageBytes)
            guard response.status == .ok else {
                // Error bodies may be compressed too. One that cannot be decompressed (say, a
                // proxy's page in an encoding we lack) is mapped from the status instead.
                let compression = (try? Self.responseCompression(contentEncoding, header: "content-encoding", url: url)) ?? nil
                let errorBody = (try? compression?.decompress(rawBody, limit: maxMessageBytes, what: "error body")) ?? rawBody
                throw Self.unaryError(status: response.status, body: errorBody)
            }
            let compression = try Self.responseCompression(contentEncoding, header: "content-encoding", url: url)
            let responseBody = try compression?.decompress(rawBody, limit: maxMessageBytes, what: "response message") ?? rawBody
            let contentType = response.headers.first(name: "Content-Type").flatMap(ConnectContentType.init)
            guard contentType == ConnectContentType(codec: codec, isStreaming: false) else {
                throw ConnectError(.internal, "unexpected response content type \"\(response.headers.first(name: "Content-Type") ?? "")\" from \(url)")
            }
            do {
                return try codec.decode(Response.self, from: responseBody)
            } catch {
                throw ConnectError(.internal, "malformed \(Response.protoMessageName) from \(url): \(error)")
            }
        } catch {
            throw Self.connectError(from: error, url: url)
        }
    }

    /// The error a non-200 unary (or pre-stream) response stands for: the Connect error in its
    /// body, or, when the body is something else (a proxy's page), the code the status implies.
    static func unaryError(status: HTTPResponseStatus, body: ByteBuffer) -> ConnectError {
        let data = Data(body.readableBytesView)
        if let error = ConnectError(jsonBody: data) { return error }
        let text = String(decoding: data.prefix(512), as: UTF8.self).trimmedASCIIWhitespace()
        let detail = text.isEmpty ? "" : ": \(text)"
        return ConnectError(.init(inferringFromHTTPStatus: Int(status.code)), "HTTP \(status.code) \(status.reasonPhrase)\(detail)")
    }
}
