import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Which of a process's output streams a chunk came from.
public enum OutputStreamName: String, Sendable {
    case stdout, stderr
}

/// How a streamed process ended.
public struct StreamedOutcome: Sendable, Equatable {
    /// The exit status; `128 + n` when killed by signal `n`; 124 when its timeout stopped it.
    public var exitCode: Int32
    /// Set when ``ProcessControl/stop(_:)`` stopped it (cancel or timeout).
    public var stopReason: ProcessControl.StopReason?
    public var duration: Duration
}

extension CommandRunner {
    /// Runs `command` like ``run(_:workdir:environment:timeout:knownSecrets:)`` but hands its
    /// output to `onOutput` as it comes (each stream in order, redacted, never splitting a
    /// character) instead of collecting it.
    ///
    /// `onOutput` is awaited before the next read of that stream: a consumer that falls behind
    /// slows the process down (its pipe fills and its writes block) rather than letting output
    /// pile up in memory. `input`, when not empty, is written to the process's standard input,
    /// which is then closed.
    public func stream(
        _ command: [String], workdir: String = "", environment extra: [String: String] = [:],
        input: String = "", timeout: Duration, knownSecrets: [String] = [],
        control: ProcessControl,
        onOutput: @escaping @Sendable (OutputStreamName, String) async -> Void
    ) async throws -> StreamedOutcome {
        let launch = try prepare(command, workdir: workdir, environment: extra, knownSecrets: knownSecrets)
        let started = ContinuousClock.now
        let redact = redactsOutput
        let status: TerminationStatus
        do {
            if input.isEmpty {
                status = try await Self.launch(launch, command, input: .none, timeout: timeout, control: control, redact: redact, onOutput: onOutput)
            } else {
                status = try await Self.launch(launch, command, input: .string(input), timeout: timeout, control: control, redact: redact, onOutput: onOutput)
            }
        } catch let error as SubprocessError {
            throw CommandRunnerError.launchFailed(executable: command[0], reason: Self.describe(error))
        }
        var exitCode: Int32
        switch status {
        case .exited(let code): exitCode = Int32(code)
        case .signaled(let signal): exitCode = 128 + Int32(signal)
        }
        if control.stopReason == .timedOut { exitCode = CommandResult.timeoutExitCode }
        return StreamedOutcome(exitCode: exitCode, stopReason: control.stopReason, duration: ContinuousClock.now - started)
    }

    private static func launch<Input: InputProtocol>(
        _ launch: Launch, _ command: [String], input: Input, timeout: Duration, control: ProcessControl, redact: Bool,
        onOutput: @escaping @Sendable (OutputStreamName, String) async -> Void
    ) async throws -> TerminationStatus {
        let secrets = launch.secrets
        let result = try await Subprocess.run(
            launch.executable,
            arguments: Arguments(Array(command.dropFirst())),
            environment: .inherit.updating(launch.overrides),
            workingDirectory: launch.directory,
            platformOptions: launch.platformOptions,
            input: input,
            output: .sequence,
            error: .sequence
        ) { execution in
            control.started(processGroup: execution.processIdentifier.value)
            defer { control.ended() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await forward(execution.standardOutput, as: .stdout, redact: redact, secrets: secrets, to: onOutput)
                }
                group.addTask {
                    try await forward(execution.standardError, as: .stderr, redact: redact, secrets: secrets, to: onOutput)
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    control.stop(.timedOut)
                }
                defer { timer.cancel() }
                try await group.waitForAll()
            }
        }
        return result.terminationStatus
    }

    private static func forward(
        _ sequence: SubprocessOutputSequence, as name: OutputStreamName, redact: Bool, secrets: [String],
        to onOutput: @Sendable (OutputStreamName, String) async -> Void
    ) async throws {
        var carry = UTF8Carry()
        for try await chunk in sequence {
            let text = chunk.withUnsafeBytes { carry.text($0) }
            guard !text.isEmpty else { continue }
            await onOutput(name, redact ? SecretRedactor.redact(text, knownSecrets: secrets) : text)
        }
        let rest = carry.flush()
        if !rest.isEmpty { await onOutput(name, rest) }
    }
}
