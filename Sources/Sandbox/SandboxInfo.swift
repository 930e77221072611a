import Foundation

/// Where a started sandbox lives and how it runs.
public struct SandboxInfo: Sendable {
    public let sessionID: String
    /// Host PID of the process the runtime started (`bwrap` when isolated, else the program).
    public let pid: Int32
    /// `<sessions root>/<id>`: the only host directory the sandbox can write to.
    public let directory: URL
    /// `<directory>/home`: the process's `HOME`.
    public let home: URL
    /// `<directory>/workspace`: the process's working directory, where repositories are cloned.
    public let workspace: URL
    /// Where the process's stdout and stderr are appended; outside the sandbox, so the sandbox
    /// cannot rewrite its own history.
    public let logFile: URL
    /// Whether the process runs under bubblewrap (false: unisolated, mode `none`).
    public let isolated: Bool

    public init(sessionID: String, pid: Int32, directory: URL, home: URL, workspace: URL, logFile: URL, isolated: Bool) {
        self.sessionID = sessionID
        self.pid = pid
        self.directory = directory
        self.home = home
        self.workspace = workspace
        self.logFile = logFile
        self.isolated = isolated
    }
}
