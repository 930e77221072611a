import Foundation

/// A sandbox started by ``LocalSandboxRuntime``: the host process and directories behind its
/// ``SandboxInfo``, for what runs on this machine only (the local runtime's tests, its logs).
public struct LocalSandbox: Sendable {
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
    /// What every runtime tells about it.
    public let info: SandboxInfo

    public var sessionID: String { info.sessionID }
    /// Whether the process runs under bubblewrap (false: unisolated, mode `none`).
    public var isolated: Bool { info.isolated }

    public init(sessionID: String, pid: Int32, directory: URL, home: URL, workspace: URL, logFile: URL, isolated: Bool) {
        self.pid = pid
        self.directory = directory
        self.home = home
        self.workspace = workspace
        self.logFile = logFile
        self.info = SandboxInfo(sessionID: sessionID, location: "pid \(pid)", isolated: isolated)
    }
}
