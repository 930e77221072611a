import Foundation
import Subprocess

/// What one process (e.g. `git`) did: exit code and captured output.
public struct ProcessResult: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { exitCode == 0 }

    /// From a finished subprocess: a signal shows as 128 + its number, as shells report it.
    public init(_ status: TerminationStatus, stdout: String?, stderr: String?) {
        switch status {
        case .exited(let code): self.exitCode = Int32(code)
        case .signaled(let signal): self.exitCode = 128 + Int32(signal)
        }
        self.stdout = stdout ?? ""
        self.stderr = stderr ?? ""
    }
}

/// Runs the real `git` for tests, isolated from the developer's configuration: no global or
/// system config, no credential prompts or helpers, a fixed identity.
public enum Git {
    public static let baseEnvironment: [String: String] = [
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GIT_AUTHOR_NAME": "Netclode Test",
        "GIT_AUTHOR_EMAIL": "test@netclode.invalid",
        "GIT_COMMITTER_NAME": "Netclode Test",
        "GIT_COMMITTER_EMAIL": "test@netclode.invalid",
    ]

    /// Runs `git [-C directory] arguments...` with `environment` layered over the isolated base.
    public static func run(_ arguments: [String], in directory: URL? = nil,
                           environment: [String: String] = [:]) async throws -> ProcessResult {
        var overrides: [Subprocess.Environment.Key: String?] = [
            "GIT_DIR": nil, "GIT_WORK_TREE": nil, "GIT_INDEX_FILE": nil,
        ]
        for (key, value) in baseEnvironment.merging(environment, uniquingKeysWith: { $1 }) {
            overrides[Subprocess.Environment.Key(stringLiteral: key)] = value
        }
        let fullArguments = (directory.map { ["-C", $0.path] } ?? []) + arguments
        let result = try await Subprocess.run(
            .name("git"), arguments: Arguments(fullArguments), environment: .inherit.updating(overrides),
            output: .string(limit: 16 << 20), error: .string(limit: 16 << 20))
        return ProcessResult(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// Like `run`, but throws with git's stderr unless it exits 0.
    @discardableResult
    public static func check(_ arguments: [String], in directory: URL? = nil,
                             environment: [String: String] = [:]) async throws -> ProcessResult {
        let result = try await run(arguments, in: directory, environment: environment)
        guard result.succeeded else {
            throw GitFailure(arguments: arguments, result: result)
        }
        return result
    }
}

public struct GitFailure: Error, CustomStringConvertible {
    public var arguments: [String]
    public var result: ProcessResult

    public var description: String {
        "git \(arguments.joined(separator: " ")) exited \(result.exitCode): \(result.stderr)"
    }
}
