import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs git for the agent's own operations (clone, fetch, config lookups) with an environment that
/// never prompts and speaks English (its messages are parsed), streaming stderr segment by segment.
struct GitCommand: Sendable {
    var executable: String
    /// Over the inherited environment.
    var environment: [String: String]

    struct Output: Sendable {
        var exitCode: Int32
        var stdout: String
        /// stderr segments that were not progress updates, the last `keptLineCount` of them.
        var stderrLines: [String]
    }

    static let keptLineCount = 200

    /// `git arguments...` in `directory`; `onProgress` sees every progress update of stderr.
    func run(_ arguments: [String], in directory: String? = nil,
             onProgress: (@Sendable (CloneProgress) async -> Void)? = nil) async throws -> Output {
        var overrides: [Environment.Key: String?] = [
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "GCM_INTERACTIVE": "never",
            "LC_ALL": "C",
            "LANGUAGE": nil,
            "GIT_DIR": nil,
            "GIT_WORK_TREE": nil,
            "GIT_INDEX_FILE": nil,
        ]
        for (key, value) in environment {
            guard let environmentKey = Environment.Key(rawValue: key) else { continue }
            overrides[environmentKey] = value
        }
        let executable: Executable = executable.contains("/") ? .path(FilePath(self.executable)) : .name(self.executable)
        let result = try await Subprocess.run(
            executable,
            arguments: Arguments(arguments),
            environment: .inherit.updating(overrides),
            workingDirectory: directory.map { FilePath($0) },
            input: .none,
            output: .string(limit: 1 << 20),
            error: .sequence
        ) { execution in
            var splitter = ProgressLineSplitter()
            var kept: [String] = []
            func consume(_ segment: String) async {
                if let progress = CloneProgress.parse(segment) {
                    await onProgress?(progress)
                } else {
                    kept.append(segment)
                    if kept.count > Self.keptLineCount { kept.removeFirst(kept.count - Self.keptLineCount) }
                }
            }
            for try await chunk in execution.standardError {
                let segments = chunk.withUnsafeBytes { splitter.append($0) }
                for segment in segments { await consume(segment) }
            }
            if let rest = splitter.finish() { await consume(rest) }
            return kept
        }
        let code: Int32
        switch result.terminationStatus {
        case .exited(let value): code = Int32(value)
        case .signaled(let signal): code = 128 + Int32(signal)
        }
        return Output(exitCode: code, stdout: result.standardOutput, stderrLines: result.closureResult)
    }
}
