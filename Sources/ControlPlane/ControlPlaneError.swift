import GitHubApp

/// A failure the API reports to its caller, with the words the user sees.
///
/// Each case maps onto one Connect error code; `GitHubError`s are translated by kind, so
/// "Repository not found" stays "Repository not found" all the way to the CLI.
public enum ControlPlaneError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidArgument(String)
    case notFound(String)
    case failedPrecondition(String)
    case permissionDenied(String)
    case unauthenticated(String)
    case resourceExhausted(String)
    case unavailable(String)
    case deadlineExceeded(String)
    /// The caller went away (its request was cancelled) before the operation could finish.
    case cancelled(String)
    case `internal`(String)

    public var message: String {
        switch self {
        case .invalidArgument(let m), .notFound(let m), .failedPrecondition(let m), .permissionDenied(let m),
             .unauthenticated(let m), .resourceExhausted(let m), .unavailable(let m), .deadlineExceeded(let m),
             .cancelled(let m), .internal(let m):
            m
        }
    }

    public var description: String { message }

    /// GitHub's answers, by kind: what the user must fix is a precondition; what does not exist is
    /// not found; what the App may not touch is permission denied.
    public init(_ error: GitHubError) {
        switch error.kind {
        case .notConfigured, .invalidConfiguration, .unauthenticated: self = .failedPrecondition(error.message)
        case .notFound: self = .notFound(error.message)
        case .permissionDenied: self = .permissionDenied(error.message)
        case .rateLimited: self = .resourceExhausted(error.message)
        case .unavailable: self = .unavailable(error.message)
        case .unexpected: self = .internal(error.message)
        }
    }
}
