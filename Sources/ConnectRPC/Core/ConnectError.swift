/// The one error type of the Connect protocol: a machine-readable ``Code`` and a message for
/// humans.
///
/// Servers throw it from handlers (or middleware) to answer with a Connect error; clients receive
/// every failure as one — the server's own errors with the server's code and message, transport
/// failures as ``Code/unavailable``, cancellation as ``Code/canceled``. Any other error a handler
/// throws becomes ``Code/internal`` with a generic message, so internals never leak to callers.
public struct ConnectError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String = "") {
        self.code = code
        self.message = message
    }

    public init(code: Code, message: String = "") {
        self.init(code, message)
    }

    /// `code: message` (or just `code` when there is no message).
    public var description: String {
        message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)"
    }
}

extension ConnectError {
    /// The sixteen Connect (and gRPC) status codes, spelled as they are on the wire.
    public enum Code: String, Sendable, CaseIterable, Hashable, Codable {
        case canceled = "canceled"
        case unknown = "unknown"
        case invalidArgument = "invalid_argument"
        case deadlineExceeded = "deadline_exceeded"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case permissionDenied = "permission_denied"
        case resourceExhausted = "resource_exhausted"
        case failedPrecondition = "failed_precondition"
        case aborted = "aborted"
        case outOfRange = "out_of_range"
        case unimplemented = "unimplemented"
        case `internal` = "internal"
        case unavailable = "unavailable"
        case dataLoss = "data_loss"
        case unauthenticated = "unauthenticated"

        /// The HTTP status a unary error with this code is sent with (the protocol's table).
        public var httpStatus: Int {
            switch self {
            case .canceled: 499
            case .unknown: 500
            case .invalidArgument: 400
            case .deadlineExceeded: 504
            case .notFound: 404
            case .alreadyExists: 409
            case .permissionDenied: 403
            case .resourceExhausted: 429
            case .failedPrecondition: 400
            case .aborted: 409
            case .outOfRange: 400
            case .unimplemented: 501
            case .internal: 500
            case .unavailable: 503
            case .dataLoss: 500
            case .unauthenticated: 401
            }
        }

        /// The code a client infers from an HTTP status when the body is not a Connect error
        /// (for example an error page from a proxy), as the protocol prescribes.
        public init(inferringFromHTTPStatus status: Int) {
            switch status {
            case 400: self = .internal
            case 401: self = .unauthenticated
            case 403: self = .permissionDenied
            case 404: self = .unimplemented
            case 429, 502, 503, 504: self = .unavailable
            default: self = .unknown
            }
        }
    }
}
