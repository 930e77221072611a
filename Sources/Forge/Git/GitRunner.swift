import Foundation
import Subprocess

/// Runs the real `git` for the forge's own housekeeping (creating and importing repositories).
///
/// The user's global and system configuration are ignored (`GIT_CONFIG_GLOBAL=/dev/null`,
/// `GIT_CONFIG_NOSYSTEM=1`) so a developer's `commit.gpgsign` or templates cannot break `forge init`.
enum GitRunner {
    struct Output: Sendable {
        var exitCode: Int32
        var standardOutput: String
        var standardError: String
    }

    static let identity: [Environment.Key: String?] = [
        "GIT_AUTHOR_NAME": "Netclode Forge",
        "GIT_AUTHOR_EMAIL": "forge@netclode.invalid",
        "GIT_COMMITTER_NAME": "Netclode Forge",
        "GIT_COMMITTER_EMAIL": "forge@netclode.invalid",
    ]

    static var hermeticEnvironment: Environment {
        var overrides: [Environment.Key: String?] = [
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_DIR": nil,
            "GIT_WORK_TREE": nil,
            "GIT_INDEX_FILE": nil,
        ]
        overrides.merge(identity) { $1 }
        return .inherit.updating(overrides)
    }

    /// Runs `git args...`; returns whatever happened.
    static func run(_ arguments: [String]) async throws -> Output {
        let result = try await Subprocess.run(
            .name("git"),
            arguments: Arguments(arguments),
            environment: hermeticEnvironment,
            output: .string(limit: 4 << 20),
            error: .string(limit: 4 << 20)
        )
        let code: Int32
        switch result.terminationStatus {
        case .exited(let status): code = Int32(status)
        default: code = -1
        }
        return Output(exitCode: code, standardOutput: result.standardOutput, standardError: result.standardError)
    }

    /// Runs `git args...` and throws `ForgeError.gitFailed` unless it exits 0.
    @discardableResult
    static func check(_ arguments: [String]) async throws -> String {
        let output = try await run(arguments)
        guard output.exitCode == 0 else {
            let command = arguments.first { !$0.hasPrefix("-") && !$0.hasPrefix("/") } ?? arguments.joined(separator: " ")
            throw ForgeError.gitFailed(command: command, message: output.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return output.standardOutput
    }

    /// `git --exec-path`: where `git-http-backend` lives.
    static func execPath() async throws -> String {
        try await check(["--exec-path"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
