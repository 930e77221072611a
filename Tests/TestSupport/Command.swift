import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs any program to completion and captures what it printed.
public enum Command {
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) async throws -> ProcessResult {
        var overrides: [Subprocess.Environment.Key: String?] = [:]
        for (key, value) in environment { overrides[Subprocess.Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), environment: .inherit.updating(overrides),
            workingDirectory: directory.map { FilePath($0.path) },
            output: .string(limit: 16 << 20), error: .string(limit: 16 << 20)
        )
        return ProcessResult(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }
}
