/// Errors of the forge's command-line operations (init, serve); each carries the message the
/// user sees.
public enum ForgeError: Error, CustomStringConvertible, Sendable {
    case invalidArgument(argument: String, reason: String)
    case alreadyInitialised(String)
    case notInitialised(String)
    case corruptMetadata(String, String)
    case gitFailed(command: String, message: String)
    case nonLoopbackListen(String)
    case invalidListenAddress(String)
    case io(String)

    public var description: String {
        switch self {
        case .invalidArgument(let argument, let reason):
            return "invalid argument \(argument): \(reason)"
        case .alreadyInitialised(let path):
            return "a forge already exists in \(path) (forge.json present); use a new --data directory or remove this one"
        case .notInitialised(let path):
            return "no forge in \(path) (forge.json missing); run `netclode forge init --data \(path)` first"
        case .corruptMetadata(let path, let detail):
            return "cannot read \(path): \(detail)"
        case .gitFailed(let command, let message):
            return "git \(command) failed: \(message)"
        case .nonLoopbackListen(let address):
            return "refusing to listen on non-loopback address \(address): the forge hands out tokens without real accounts; pass --allow-remote to do it anyway"
        case .invalidListenAddress(let address):
            return "invalid --listen address \(address): expected HOST:PORT, e.g. 127.0.0.1:8790"
        case .io(let message):
            return message
        }
    }
}
