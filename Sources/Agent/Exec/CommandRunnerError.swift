/// Why ``CommandRunner`` did not run a command at all.
public enum CommandRunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCommand
    case invalidWorkdir(WorkspacePathError)
    /// The executable could not be found or started.
    case launchFailed(executable: String, reason: String)

    public var description: String {
        switch self {
        case .emptyCommand: return "empty command"
        case .invalidWorkdir(let error): return error.description
        case .launchFailed(let executable, let reason): return "cannot run \(executable): \(reason)"
        }
    }
}
