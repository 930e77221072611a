import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a command for the session: an argv (no shell) in a directory of the workspace, with a
/// timeout and capped output.
///
/// - The working directory is `workspace/<workdir>`; absolute paths, `..` above the root and
///   symbolic links leading outside are refused (``WorkspacePath``).
/// - The process runs in its own process group; when the timeout expires the whole group gets
///   SIGTERM, then SIGKILL a second later, and the result says `timedOut` with exit code 124.
/// - stdout and stderr are captured separately, each up to ``outputLimit`` bytes; the rest is read
///   and dropped, and `truncated` says so.
/// - Output is passed through ``SecretRedactor`` (with the tokens handed in and any
///   `GITHUB_TOKEN`/`GH_TOKEN` of the environment) unless ``redactsOutput`` is off.
public struct CommandRunner: Sendable {
    public var workspace: URL
    /// Layered over the agent's own environment (minus ``withheldEnvironmentKeys``).
    public var environment: [String: String]
    /// Variables of the agent's environment a command never sees (the agent's channel secret).
    public var withheldEnvironmentKeys: Set<String>
    /// Per stream.
    public var outputLimit: Int
    public var redactsOutput: Bool
    /// Between SIGTERM and SIGKILL of the process group on timeout.
    public var killGrace: Duration

    public static let defaultOutputLimit = 1 << 20
    public static let defaultWithheldEnvironmentKeys: Set<String> = ["NETCLODE_AGENT_SECRET", "NETCLODE_AGENT_SECRET_FD", "NETCLODE_AGENT_SECRET_FILE", "NETCLODE_AGENT_TOKEN"]

    public init(workspace: URL, environment: [String: String] = [:],
                withheldEnvironmentKeys: Set<String> = CommandRunner.defaultWithheldEnvironmentKeys,
                outputLimit: Int = CommandRunner.defaultOutputLimit, redactsOutput: Bool = true,
                killGrace: Duration = .seconds(1)) {
        self.workspace = workspace
        self.environment = environment
        self.withheldEnvironmentKeys = withheldEnvironmentKeys
        self.outputLimit = outputLimit
        self.redactsOutput = redactsOutput
        self.killGrace = killGrace
    }

    /// Runs `command` (argv; `command[0]` is looked up on `PATH` unless it contains a `/`) in
    /// `workspace/workdir`.
    ///
    /// - Parameters:
    ///   - environment: extra variables for this command, over ``environment``.
    ///   - knownSecrets: strings to redact from the output wherever they appear.
    /// - Throws: ``CommandRunnerError`` when the command cannot be started at all; a command that
    ///   runs and fails is a result with its exit code.
    public func run(_ command: [String], workdir: String = "", environment extra: [String: String] = [:],
                    timeout: Duration = .seconds(600), knownSecrets: [String] = []) async throws -> CommandResult {
        let launch = try prepare(command, workdir: workdir, environment: extra, knownSecrets: knownSecrets)
        let limit = outputLimit
        let grace = killGrace
        let started = ContinuousClock.now
        let result: ExecutionResult<Collected, SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(
                launch.executable,
                arguments: Arguments(Array(command.dropFirst())),
                environment: .inherit.updating(launch.overrides),
                workingDirectory: launch.directory,
                platformOptions: launch.platformOptions,
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                try await Self.collect(execution, limit: limit, timeout: timeout, grace: grace)
            }
        } catch let error as SubprocessError {
            throw CommandRunnerError.launchFailed(executable: command[0], reason: Self.describe(error))
        }
        let duration = ContinuousClock.now - started
        let collected = result.closureResult

        var exitCode: Int32
        switch result.terminationStatus {
        case .exited(let code): exitCode = Int32(code)
        case .signaled(let signal): exitCode = 128 + Int32(signal)
        }
        if collected.timedOut { exitCode = CommandResult.timeoutExitCode }

        var stdout = collected.stdout.text
        var stderr = collected.stderr.text
        if redactsOutput {
            stdout = SecretRedactor.redact(stdout, knownSecrets: launch.secrets)
            stderr = SecretRedactor.redact(stderr, knownSecrets: launch.secrets)
        }
        return CommandResult(exitCode: exitCode, stdout: stdout, stderr: stderr,
                             stdoutTruncated: collected.stdout.truncated, stderrTruncated: collected.stderr.truncated,
                             timedOut: collected.timedOut, duration: duration)
    }

    /// How a command is started: shared by ``run(_:workdir:environment:timeout:knownSecrets:)``
    /// and ``stream(_:workdir:environment:input:timeout:knownSecrets:control:onOutput:)``.
    struct Launch: Sendable {
        var executable: Executable
        var directory: FilePath
        var overrides: [Environment.Key: String?]
        /// Strings redacted from the output: the ones handed in and any token in the environment.
        var secrets: [String]
        var platformOptions: PlatformOptions
    }

    func prepare(_ command: [String], workdir: String, environment extra: [String: String], knownSecrets: [String]) throws -> Launch {
        guard let program = command.first, !program.isEmpty else { throw CommandRunnerError.emptyCommand }
        let directory: URL
        do {
            directory = try WorkspacePath.resolveDirectory(workdir, in: workspace)
        } catch {
            throw CommandRunnerError.invalidWorkdir(error)
        }

        let executable: Executable
        if program.hasPrefix("/") {
            executable = .path(FilePath(program))
        } else if program.contains("/") {
            executable = .path(FilePath(directory.appendingPathComponent(program).path))
        } else {
            executable = .name(program)
        }

        var overrides: [Environment.Key: String?] = [:]
        // `updateValue(nil, ...)` stores "unset this variable"; `overrides[key] = nil` would only
        // drop the entry and let the inherited value through.
        for key in withheldEnvironmentKeys { overrides.updateValue(nil, forKey: Environment.Key(rawValue: key)!) }
        let merged = self.environment.merging(extra) { $1 }
        for (key, value) in merged {
            guard let environmentKey = Environment.Key(rawValue: key) else { continue }
            overrides[environmentKey] = value
        }
        var secrets = knownSecrets
        for key in ["GITHUB_TOKEN", "GH_TOKEN", "GIT_PASSWORD"] {
            if let value = merged[key], !value.isEmpty { secrets.append(value) }
        }

        var platformOptions = PlatformOptions()
        platformOptions.processGroupID = 0 // its own group, so a timeout reaches its children too
        platformOptions.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: killGrace)]
        return Launch(executable: executable, directory: FilePath(directory.path), overrides: overrides,
                      secrets: secrets, platformOptions: platformOptions)
    }

    struct Collected: Sendable {
        var stdout: OutputCapture
        var stderr: OutputCapture
        var timedOut: Bool
    }

    private enum Piece: Sendable {
        case stdout(OutputCapture)
        case stderr(OutputCapture)
        case timer(fired: Bool)
    }

    private static func collect(_ execution: Execution<NoInput, SequenceOutput, SequenceOutput>, limit: Int,
                                timeout: Duration, grace: Duration) async throws -> Collected {
        try await withThrowingTaskGroup(of: Piece.self) { group in
            group.addTask {
                var capture = OutputCapture(limit: limit)
                for try await chunk in execution.standardOutput {
                    chunk.withUnsafeBytes { capture.append($0) }
                }
                return .stdout(capture)
            }
            group.addTask {
                var capture = OutputCapture(limit: limit)
                for try await chunk in execution.standardError {
                    chunk.withUnsafeBytes { capture.append($0) }
                }
                return .stderr(capture)
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return .timer(fired: false)
                }
                try? execution.send(signal: .terminate, toProcessGroup: true)
                try? await Task.sleep(for: grace)
                try? execution.send(signal: .kill, toProcessGroup: true)
                return .timer(fired: true)
            }
            var stdout: OutputCapture?
            var stderr: OutputCapture?
            var timedOut = false
            while stdout == nil || stderr == nil, let piece = try await group.next() {
                switch piece {
                case .stdout(let capture): stdout = capture
                case .stderr(let capture): stderr = capture
                case .timer(let fired): timedOut = timedOut || fired
                }
            }
            group.cancelAll()
            while let piece = try await group.next() {
                if case .timer(let fired) = piece { timedOut = timedOut || fired }
            }
            return Collected(stdout: stdout ?? OutputCapture(limit: limit), stderr: stderr ?? OutputCapture(limit: limit),
                             timedOut: timedOut)
        }
    }

    static func describe(_ error: SubprocessError) -> String {
        if error.code == .executableNotFound { return "command not found" }
        if error.code == .failedToChangeWorkingDirectory { return "cannot enter the working directory" }
        if let underlying = error.underlyingError { return "\(underlying)" }
        return "\(error)"
    }
}
