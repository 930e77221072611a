import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// One Connect call sent as raw bytes, so a test can send what no well-behaved client would:
/// malformed JSON and protobuf, invalid UTF-8, wrong types, bodies over the limit.
struct RawConnectCall {
    let baseURL: URL
    var token = ControlPlaneProcess.apiToken

    struct Answer {
        var status: Int
        var contentType: String
        var body: Data
    }

    func send(_ method: String, contentType: String, body: [UInt8], timeout: Duration = .seconds(30)) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL.absoluteString + "/" + method)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await ReliabilityFixture.wideHTTPClient.execute(request, timeout: .milliseconds(timeout.components.seconds * 1000))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
                      body: Data(collected.readableBytesView))
    }

    func get(_ path: String) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL.absoluteString + path)
        request.method = .GET
        let response = try await ReliabilityFixture.wideHTTPClient.execute(request, timeout: .seconds(10))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
                      body: Data(collected.readableBytesView))
    }
}

/// What the Connect protocol allows a unary answer to be.
enum ConnectAnswerCheck {
    /// Code → HTTP status, from the protocol's table.
    static let statusOfCode: [String: Int] = [
        "canceled": 499, "unknown": 500, "invalid_argument": 400, "deadline_exceeded": 504, "not_found": 404,
        "already_exists": 409, "permission_denied": 403, "resource_exhausted": 429, "failed_precondition": 400,
        "aborted": 409, "out_of_range": 400, "unimplemented": 501, "internal": 500, "unavailable": 503,
        "data_loss": 500, "unauthenticated": 401,
    ]

    /// The error code of a well-formed Connect error, or `nil` for a success; throws a description
    /// of what is wrong when the answer is neither.
    static func code(of answer: RawConnectCall.Answer, requestContentType: String) throws -> String? {
        if answer.status == 200 {
            guard answer.contentType.hasPrefix(requestContentType) else {
                throw CheckFailure("a success with content type \(answer.contentType) for a \(requestContentType) request")
            }
            if requestContentType == "application/json" {
                guard (try? JSONSerialization.jsonObject(with: answer.body)) is [String: Any] else {
                    throw CheckFailure("a JSON success whose body is not a JSON object: \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
                }
            }
            return nil
        }
        guard answer.contentType.hasPrefix("application/json") else {
            throw CheckFailure("HTTP \(answer.status) with content type \(answer.contentType): \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any],
              let code = object["code"] as? String else {
            throw CheckFailure("HTTP \(answer.status) without a Connect error body: \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
        }
        guard let expected = statusOfCode[code] else { throw CheckFailure("unknown Connect code \(code)") }
        guard expected == answer.status else { throw CheckFailure("code \(code) sent with HTTP \(answer.status), the protocol says \(expected)") }
        if let message = object["message"], !(message is String) { throw CheckFailure("message is not a string") }
        return code
    }

    struct CheckFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
