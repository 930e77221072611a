import Logging

/// Turns whatever a handler threw into the error the caller sees.
///
/// `ConnectError`s pass through unchanged. Anything else is a bug or an unexpected failure: it is
/// logged in full here and the caller gets a generic `internal` error, so no internal detail
/// (paths, SQL, tokens) leaks into a response.
enum ConnectHandlerError {
    static func connectError(from error: any Error, method: String, logger: Logger) -> ConnectError {
        switch error {
        case let error as ConnectError:
            return error
        case is CancellationError:
            return ConnectError(.canceled, "the call was canceled")
        default:
            logger.error("Connect handler failed", metadata: [
                "connect.method": "\(method)",
                "error": "\(String(reflecting: error))",
            ])
            return ConnectError(.internal, "internal error")
        }
    }
}
