/// What a command run by ``CommandRunner`` did.
public struct CommandResult: Sendable, Equatable {
    /// The exit status; `128 + n` when killed by signal `n`; `124` when the timeout killed it.
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    /// stdout or stderr was cut at the output cap.
    public var truncated: Bool
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// The timeout expired and the process group was killed.
    public var timedOut: Bool
    public var duration: Duration

    public init(exitCode: Int32, stdout: String, stderr: String, stdoutTruncated: Bool = false,
                stderrTruncated: Bool = false, timedOut: Bool = false, duration: Duration = .zero) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = stdoutTruncated || stderrTruncated
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.timedOut = timedOut
        self.duration = duration
    }

    /// The exit code reported for a command killed by its timeout (as `timeout(1)` does).
    public static let timeoutExitCode: Int32 = 124
}
