import Foundation

/// Runs git (found on `PATH`) and fails with its stderr when it does.
///
/// Extra environment variables go to this git process only; the benchmark passes a clone token
/// that way, so it never appears in an argument list, a file or the output. Output goes to
/// temporary files rather than pipes, so a chatty git can never block on a full pipe.
enum Git {
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, environment extra: [String: String] = [:],
                    input: URL? = nil) async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("netclode-bench-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdoutURL = scratch.appendingPathComponent("stdout")
        let stderrURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else {
            let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw BenchError("git \(arguments.first ?? "") failed (exit \(status)): \(errors)")
        }
        return (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
    }

    /// `-c credential.helper=...` arguments that answer git's credential request with the token in
    /// the `NETCLODE_BENCH_GIT_TOKEN` environment variable of that git process (as the agent's
    /// helper does from memory), so the token is in no URL, argument or file.
    static let tokenFromEnvironment = [
        "-c", "credential.helper=",
        "-c", #"credential.helper=!f() { test "$1" = get && printf 'username=x-access-token\npassword=%s\n' "$NETCLODE_BENCH_GIT_TOKEN"; }; f"#,
    ]
}
