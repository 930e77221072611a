import Foundation
import Subprocess

/// How git is told to use `netclode agent credential`: the git configuration entries
///
///     credential.helper=                  (resets helpers configured elsewhere)
///     credential.helper=!'<netclode>' agent credential --socket '<socket>'
///     credential.useHttpPath=true         (git sends the repository path, so each repo gets its token)
///
/// available as `-c` arguments, as `GIT_CONFIG_COUNT` environment variables, or written into a
/// `.gitconfig`. Only the helper *command* is configured; no token is ever part of git's
/// configuration, a remote URL or a file.
public struct CredentialHelperConfiguration: Sendable, Equatable {
    /// The value of `credential.helper`.
    public var helperCommand: String
    /// The agent's socket.
    public var socketPath: String
    /// Set in proxy mode: git then uses the control plane's git proxy instead of the helper.
    public var proxy: GitProxyAccess?

    /// A helper running `executable arguments... --socket socketPath` (through git's `!` shell form,
    /// every word single-quoted).
    public init(executable: String, arguments: [String] = ["agent", "credential"], socketPath: String) {
        let words = [executable] + arguments + ["--socket", socketPath]
        self.helperCommand = "!" + words.map(Self.shellQuoted).joined(separator: " ")
        self.socketPath = socketPath
    }

    /// A helper given as git's `credential.helper` value verbatim.
    public init(helperCommand: String, socketPath: String) {
        self.helperCommand = helperCommand
        self.socketPath = socketPath
    }

    /// The running executable (`/proc/self/exe` resolved on Linux): the `netclode` binary when
    /// called from the agent.
    public static func currentExecutable() -> String {
        #if os(Linux)
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        #endif
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// The configuration entries, in order: the helper's, or in proxy mode only a reset of every
    /// helper, so git never asks one. (The proxy's entries go into `.gitconfig` only: an
    /// `extraHeader` given twice, there and in the environment, would be sent twice.)
    public var entries: [(key: String, value: String)] {
        if proxy != nil { return [("credential.helper", "")] }
        return [("credential.helper", ""), ("credential.helper", helperCommand), ("credential.useHttpPath", "true")]
    }

    /// `-c key=value` pairs to put between `git` and its subcommand.
    public var commandLineArguments: [String] {
        entries.flatMap { ["-c", "\($0.key)=\($0.value)"] }
    }

    /// The same entries as `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (git ≥ 2.31),
    /// plus `NETCLODE_AGENT_SOCKET` and `GIT_TERMINAL_PROMPT=0`: give these to any process that
    /// runs git in the sandbox.
    public var environment: [String: String] {
        var environment: [String: String] = [
            "GIT_CONFIG_COUNT": String(entries.count),
            CredentialHelperClient.socketEnvironmentKey: socketPath,
            "GIT_TERMINAL_PROMPT": "0",
        ]
        for (index, entry) in entries.enumerated() {
            environment["GIT_CONFIG_KEY_\(index)"] = entry.key
            environment["GIT_CONFIG_VALUE_\(index)"] = entry.value
        }
        return environment
    }

    /// Writes the entries into the git config file at `path` (e.g. `$HOME/.gitconfig`), replacing
    /// any `credential.helper` / `credential.useHttpPath` there, and — when `identity` is given —
    /// `user.name` / `user.email`; other settings (a command's `git config --global`) are kept.
    /// The agent writes its sandbox's `.gitconfig` this way on every config it receives.
    public func install(intoConfigFile path: String, identity: (name: String, email: String)? = nil) async throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        // --unset-all exits 5 when there is nothing to unset: not an error here.
        _ = try await gitConfig(["--file", path, "--unset-all", "credential.helper"], allowedExitCodes: [0, 5])
        // A restarted control plane may listen elsewhere: an earlier sandbox's proxy entries go,
        // or git would keep the first (stale) rewrite of the GitHub URL.
        let earlier = try await gitConfig(["--file", path, "--name-only", "--get-regexp", #"^(url\..*/git/\.insteadof|http\..*/git/\.extraheader)$"#],
                                          allowedExitCodes: [0, 1])
        for key in Set(earlier.split(separator: "\n").map(String.init)) {
            _ = try await gitConfig(["--file", path, "--unset-all", key], allowedExitCodes: [0, 5])
        }
        for entry in entries + (proxy?.entries ?? []) {
            let verb = entry.key == "credential.helper" ? "--add" : "--replace-all"
            _ = try await gitConfig(["--file", path, verb, entry.key, entry.value], allowedExitCodes: [0])
        }
        if let identity {
            _ = try await gitConfig(["--file", path, "--replace-all", "user.name", identity.name], allowedExitCodes: [0])
            _ = try await gitConfig(["--file", path, "--replace-all", "user.email", identity.email], allowedExitCodes: [0])
        }
    }

    private func gitConfig(_ arguments: [String], allowedExitCodes: Set<Int32>) async throws -> String {
        let result = try await Subprocess.run(
            .name("git"), arguments: Arguments(["config"] + arguments),
            environment: .inherit.updating(["GIT_CONFIG_COUNT": nil, "GIT_DIR": nil]),
            output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
        let code: Int32
        switch result.terminationStatus {
        case .exited(let value): code = Int32(value)
        case .signaled(let signal): code = 128 + Int32(signal)
        }
        guard allowedExitCodes.contains(code) else {
            throw CredentialHelperError.gitConfig("git config \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        }
        return result.standardOutput
    }

    /// `'text'`, with embedded single quotes escaped for a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
