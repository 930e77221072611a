import Foundation
import Subprocess
import TestSupport

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs `netclode doctor` with exactly the settings a test gives (no GITHUB_* or NETCLODE_* of the
/// developer's shell), in a fresh working directory, optionally with a `.env` file there, and
/// checks that nothing it printed holds a secret.
struct DoctorRunner {
    let workingDirectory: TemporaryDirectory

    /// `environment` is passed as the process environment; `dotEnv` is written to `.env` in the
    /// working directory first (read as `netclode serve` reads it). `wrapper` runs doctor under
    /// another program (e.g. `unshare ...`), given as the executable and its leading arguments.
    func run(environment: [String: String], dotEnv: [String: String] = [:], arguments: [String] = [],
             wrapper: [String] = [], timeout: Duration = .seconds(180)) async throws -> ProcessResult {
        let dotEnvFile = workingDirectory.url.appendingPathComponent(".env")
        try? FileManager.default.removeItem(at: dotEnvFile)
        if !dotEnv.isEmpty {
            try dotEnv.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n").write(to: dotEnvFile, atomically: true, encoding: .utf8)
        }
        var full = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITHUB_") && !$0.key.hasPrefix("NETCLODE_") }
        full.merge(environment) { _, new in new }
        let variables = Dictionary(uniqueKeysWithValues: full.map { (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value) })

        let binary = try ForgeProcess.netclodeBinary().path
        let command = wrapper.isEmpty ? [binary] : wrapper + [binary]
        let directory = FilePath(workingDirectory.path)
        let result = try await withThrowingTaskGroup(of: ProcessResult?.self) { group in
            group.addTask {
                let run = try await Subprocess.run(
                    .path(FilePath(command[0])), arguments: Arguments(Array(command.dropFirst()) + ["doctor"] + arguments),
                    environment: .custom(variables), workingDirectory: directory,
                    output: .string(limit: 4 << 20), error: .string(limit: 4 << 20))
                return ProcessResult(run.terminationStatus, stdout: run.standardOutput, stderr: run.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw CLITimeout(arguments: ["doctor"] + arguments, timeout: timeout)
            }
            return result
        }
        return result
    }

    /// Everything doctor printed: no token marker or key, and none of `secrets` (the API token,
    /// the base64 key) verbatim.
    static func leaks(in result: ProcessResult, secrets: [String]) -> [String] {
        let text = result.stdout + result.stderr
        return SecretScan.text(text, source: "netclode doctor").map(\.description)
            + secrets.filter { !$0.isEmpty && text.contains($0) }.map { "a secret value (\($0.prefix(4))…) in the output" }
    }
}

extension ProcessResult {
    /// The line of doctor's output that starts with `prefix` (e.g. `✓ database:`), if any.
    func line(startingWith prefix: String) -> String? {
        stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
    }

    /// The `fix:` line right after the line that starts with `prefix`.
    func fix(after prefix: String) -> String? {
        let lines = stdout.split(separator: "\n").map(String.init)
        guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }), index + 1 < lines.count,
              lines[index + 1].trimmingCharacters(in: .whitespaces).hasPrefix("fix:") else { return nil }
        return lines[index + 1].trimmingCharacters(in: .whitespaces)
    }
}
