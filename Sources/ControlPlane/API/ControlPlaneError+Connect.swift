import ConnectRPC

extension ControlPlaneError {
    /// The Connect error a client receives: same words, matching code.
    var connectError: ConnectError {
        switch self {
        case .invalidArgument(let message): ConnectError(.invalidArgument, message)
        case .notFound(let message): ConnectError(.notFound, message)
        case .failedPrecondition(let message): ConnectError(.failedPrecondition, message)
        case .permissionDenied(let message): ConnectError(.permissionDenied, message)
        case .unauthenticated(let message): ConnectError(.unauthenticated, message)
        case .resourceExhausted(let message): ConnectError(.resourceExhausted, message)
        case .unavailable(let message): ConnectError(.unavailable, message)
        case .deadlineExceeded(let message): ConnectError(.deadlineExceeded, message)
        case .cancelled(let message): ConnectError(.canceled, message)
        case .internal(let message): ConnectError(.internal, message)
        }
    }
}

/// Runs an API handler body, turning the control plane's errors into Connect errors.
func connectCall<T>(_ body: () async throws(ControlPlaneError) -> T) async throws(ConnectError) -> T {
    do {
        return try await body()
    } catch {
        throw error.connectError
    }
}
