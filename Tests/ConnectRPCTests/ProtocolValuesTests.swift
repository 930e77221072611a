import ConnectRPC
import Foundation
import Testing

@Suite("Protocol values")
struct ProtocolValuesTests {
    @Test func codesAndStatusesFollowTheProtocolTable() {
        let table: [(ConnectError.Code, String, Int)] = [
            (.canceled, "canceled", 499), (.unknown, "unknown", 500),
            (.invalidArgument, "invalid_argument", 400), (.deadlineExceeded, "deadline_exceeded", 504),
            (.notFound, "not_found", 404), (.alreadyExists, "already_exists", 409),
            (.permissionDenied, "permission_denied", 403), (.resourceExhausted, "resource_exhausted", 429),
            (.failedPrecondition, "failed_precondition", 400), (.aborted, "aborted", 409),
            (.outOfRange, "out_of_range", 400), (.unimplemented, "unimplemented", 501),
            (.internal, "internal", 500), (.unavailable, "unavailable", 503),
            (.dataLoss, "data_loss", 500), (.unauthenticated, "unauthenticated", 401),
        ]
        #expect(ConnectError.Code.allCases.count == 16)
        for (code, wire, status) in table {
            #expect(code.rawValue == wire)
            #expect(code.httpStatus == status, "\(wire)")
        }
    }

    @Test func errorDescriptionAndJSON() throws {
        let error = ConnectError(.invalidArgument, "repos[0]: \"a/b/c\" has extra path segments")
        #expect(error.description == #"invalid_argument: repos[0]: "a/b/c" has extra path segments"#)
        #expect(ConnectError(.internal).description == "internal")
        #expect(String(decoding: error.jsonBody, as: UTF8.self)
            == #"{"code":"invalid_argument","message":"repos[0]: \"a/b/c\" has extra path segments"}"#)
        #expect(ConnectError(jsonBody: error.jsonBody) == error)
        #expect(ConnectError(jsonBody: Data("<html>bad gateway</html>".utf8)) == nil)
        #expect(ConnectError(jsonBody: Data(#"{"code":"nope"}"#.utf8)) == ConnectError(.unknown, ""))
    }

    @Test func httpStatusesClientsInferWithoutAConnectBody() {
        #expect(ConnectError.Code(inferringFromHTTPStatus: 400) == .internal)
        #expect(ConnectError.Code(inferringFromHTTPStatus: 401) == .unauthenticated)
        #expect(ConnectError.Code(inferringFromHTTPStatus: 403) == .permissionDenied)
        #expect(ConnectError.Code(inferringFromHTTPStatus: 404) == .unimplemented)
        for status in [429, 502, 503, 504] { #expect(ConnectError.Code(inferringFromHTTPStatus: status) == .unavailable) }
        #expect(ConnectError.Code(inferringFromHTTPStatus: 418) == .unknown)
    }

    @Test func contentTypes() {
        #expect(ConnectContentType("application/json") == ConnectContentType(codec: .json, isStreaming: false))
        #expect(ConnectContentType("Application/JSON; charset=utf-8") == ConnectContentType(codec: .json, isStreaming: false))
        #expect(ConnectContentType("application/json;charset=\"UTF-8\"") == ConnectContentType(codec: .json, isStreaming: false))
        #expect(ConnectContentType("application/json; charset=latin1") == nil)
        #expect(ConnectContentType("application/proto") == ConnectContentType(codec: .proto, isStreaming: false))
        #expect(ConnectContentType("application/connect+json") == ConnectContentType(codec: .json, isStreaming: true))
        #expect(ConnectContentType("application/connect+proto") == ConnectContentType(codec: .proto, isStreaming: true))
        #expect(ConnectContentType("application/grpc") == nil)
        #expect(ConnectContentType("text/plain") == nil)
        #expect(ConnectCodec.proto.streamContentType == "application/connect+proto")
    }

    @Test func timeouts() {
        #expect(ConnectTimeout.parse("250") == .milliseconds(250))
        #expect(ConnectTimeout.parse("9999999999") == .milliseconds(9_999_999_999))
        for bad in ["", "-1", "1.5", "12345678901", "10s", " 5"] { #expect(ConnectTimeout.parse(bad) == nil, "\(bad)") }
        #expect(ConnectTimeout.headerValue(for: .milliseconds(1500)) == "1500")
        #expect(ConnectTimeout.headerValue(for: .microseconds(1)) == "1")
        #expect(ConnectTimeout.headerValue(for: .microseconds(2500)) == "3")
        #expect(ConnectTimeout.headerValue(for: .seconds(100_000_000)) == "9999999999")
    }
}
