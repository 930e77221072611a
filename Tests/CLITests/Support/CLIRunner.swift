import Foundation
import Subprocess
import TestSupport

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the real `netclode` binary as a user would: in a fresh working directory (no stray `.env`),
/// with `NETCLODE_URL` / `NETCLODE_API_TOKEN` set only as the test says.
struct CLIRunner: Sendable {
    var server: String?
    var token: String?
    /// The working directory of every run (where a `.env` would be read).
    var workingDirectory: URL

    /// Runs `netclode arguments...`; a run longer than `timeout` is killed and fails the test.
    func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> ProcessResult {
        let binary = try ForgeProcess.netclodeBinary()
        let environment: [Subprocess.Environment.Key: String?] = [
            "NETCLODE_URL": server, "NETCLODE_API_TOKEN": token,
            // Never the developer's ~/.config/netclode/context.json: only what a test writes here.
            "NETCLODE_CONTEXT": workingDirectory.appendingPathComponent("context.json").path,
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
        ]
        let directory = FilePath(workingDirectory.path)
        return try await withThrowingTaskGroup(of: ProcessResult?.self) { group in
            group.addTask {
                let result = try await Subprocess.run(
                    .path(FilePath(binary.path)), arguments: Arguments(arguments),
                    environment: .inherit.updating(environment), workingDirectory: directory,
                    output: .string(limit: 4 << 20), error: .string(limit: 4 << 20))
                return ProcessResult(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            guard let first = try await group.next(), let result = first else {
                group.cancelAll()
                throw CLITimeout(arguments: arguments, timeout: timeout)
            }
            group.cancelAll()
            return result
        }
    }
}

struct CLITimeout: Error, CustomStringConvertible {
    var arguments: [String]
    var timeout: Duration
    var description: String { "netclode \(arguments.joined(separator: " ")) did not finish within \(timeout)" }
}

extension ProcessResult {
    /// Non-empty stdout lines.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Everything, for failure messages.
    var transcript: String { "exit \(exitCode)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}
