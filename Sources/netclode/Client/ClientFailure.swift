import ArgumentParser
import ConnectRPC
import Foundation

/// Why a client command failed, with the exit code it stands for.
///
/// Exit codes of the client commands (also in `netclode session --help`):
///
/// | code | meaning |
/// |---|---|
/// | 0 | success |
/// | 1 | the server refused or failed the request (not found, invalid argument, ...), or the session ended in `error` |
/// | 2 | authentication or configuration: no API token, token rejected, unusable server URL |
/// | 3 | the server is unreachable or did not answer in time (a retry may help) |
/// | 64 | command-line usage (ArgumentParser) |
///
/// `session exec` exits with the command's own exit code once the command ran.
enum ClientFailure: Error, CustomStringConvertible {
    /// An error answer from the server (or the transport), shown with its message as is.
    case server(ConnectError)
    /// The local settings are unusable (no token, bad URL).
    case configuration(String)
    /// The request succeeded but what it reports is a failure (e.g. the session ended in `error`).
    case failed(String)

    var exitCode: Int32 {
        switch self {
        case .configuration: 2
        case .failed: 1
        case .server(let error):
            switch error.code {
            // permission_denied is GitHub refusing the App (e.g. a repo outside the installation),
            // not a problem with the API token: it is an ordinary refusal.
            case .unauthenticated: 2
            case .unavailable, .deadlineExceeded: 3
            default: 1
            }
        }
    }

    var description: String {
        switch self {
        case .configuration(let message), .failed(let message):
            return message
        case .server(let error):
            let message = error.message.isEmpty ? error.code.rawValue : error.message
            switch error.code {
            case .unauthenticated:
                return "\(message) (unauthenticated: check --token or NETCLODE_API_TOKEN)"
            case .unavailable where message.hasPrefix("cannot reach"):
                return "\(message) (is `netclode dev` or `netclode serve` running there? set --server or NETCLODE_URL)"
            default:
                return message
            }
        }
    }

    init(_ error: any Error) {
        switch error {
        case let failure as ClientFailure: self = failure
        case let error as ConnectError: self = .server(error)
        default: self = .failed("\(error)")
        }
    }
}

extension ClientFailure {
    /// Runs a client command's body; a failure becomes one `error: ...` line on stderr and its
    /// exit code (ArgumentParser's own `ExitCode`s pass through).
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let failure = ClientFailure(error)
            ClientOutput.error("error: \(failure.description)")
            throw ExitCode(failure.exitCode)
        }
    }
}
