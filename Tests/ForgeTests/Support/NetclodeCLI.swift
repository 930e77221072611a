import Foundation
import Subprocess
import TestSupport

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the real `netclode` binary and captures what it printed.
enum NetclodeCLI {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        let binary = try ForgeProcess.netclodeBinary()
        let result = try await Subprocess.run(
            .path(FilePath(binary.path)), arguments: Arguments(arguments),
            environment: .inherit.updating(["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        return ProcessResult(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }
}
