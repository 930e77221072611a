import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Starts one throwaway sandbox with the command line ``LocalSandboxRuntime`` uses for a session
/// (``BubblewrapInvocation``, on an isolated network, which asks the most of the kernel: user,
/// pid, ipc and network namespaces, a fresh `/proc`, no capabilities), running `/bin/sh` instead
/// of the agent. For `netclode doctor`: "bwrap is installed" is not the same as "bwrap works
/// here" (a container without user namespaces, a systemd unit with `RestrictNamespaces=` or
/// `ProtectKernelTunables=`, an AppArmor profile that denies them), and this tells them apart.
///
/// The scratch session lives in a temporary directory, never in the data directory: run as
/// another user than the control plane, it would leave files there that the server cannot use.
public enum BubblewrapSelfTest {
    public enum Outcome: Sendable, Equatable {
        /// The sandbox ran as the sandbox user and wrote to its workspace.
        case works(bwrap: String, version: String)
        /// No `bwrap` on the search path.
        case notInstalled(searchPath: String)
        /// `bwrap` is there but the sandbox did not run as it should; `reason` quotes what bwrap said.
        case failed(bwrap: String, reason: String)
    }

    /// What the sandboxed shell runs: prints its uid and gid and writes a file to its workspace.
    static let script = #"printf '%s %s\n' "$(id -u)" "$(id -g)" && echo ok > "$PWD/probe""#

    public static func run(searchPath: String? = ProcessInfo.processInfo.environment["PATH"], timeout: Duration = .seconds(60)) async -> Outcome {
        guard let bwrap = BubblewrapLocator.find(searchPath: searchPath) else {
            return .notInstalled(searchPath: (searchPath?.isEmpty == false ? searchPath : nil) ?? BubblewrapLocator.defaultSearchPath)
        }
        let version = await versionOf(bwrap)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("netclode-doctor-\(UUID().uuidString)", isDirectory: true)
        defer { try? SessionFiles.removeTree(scratch) }
        do {
            let reason = try await runSandbox(bwrap: bwrap, scratch: scratch, timeout: timeout)
            return reason.map { .failed(bwrap: bwrap, reason: $0) } ?? .works(bwrap: bwrap, version: version)
        } catch {
            return .failed(bwrap: bwrap, reason: "\(error)")
        }
    }

    /// nil when the sandbox behaved; otherwise what went wrong.
    private static func runSandbox(bwrap: String, scratch: URL, timeout: Duration) async throws -> String? {
        let session = scratch.appendingPathComponent("session", isDirectory: true)
        let home = session.appendingPathComponent("home", isDirectory: true)
        let workspace = session.appendingPathComponent("workspace", isDirectory: true)
        let ownFiles = scratch.appendingPathComponent("run", isDirectory: true)
        for url in [scratch, session, home, workspace, ownFiles] {
            try SessionFiles.makePrivateDirectory(url)
        }
        let files = BubblewrapInvocation.RuntimeFiles(
            passwd: ownFiles.appendingPathComponent("passwd").path, group: ownFiles.appendingPathComponent("group").path)
        try SessionFiles.writeReadable(SandboxUser.passwd(home: home.path), to: files.passwd)
        try SessionFiles.writeReadable(SandboxUser.group(), to: files.group)

        let invocation = BubblewrapInvocation.make(
            executable: "/bin/sh", arguments: ["-c", script], sessionDirectory: session.path, workspace: workspace.path,
            libraryDirectories: [], runtimeFiles: files, network: .isolated,
            disableUserNamespaces: await BubblewrapFeatures.probe(bwrap).disableUserNamespaces)
        let environment = try SandboxEnvironment.make([:], home: home.path, workspace: workspace.path)
        let variables = Dictionary(uniqueKeysWithValues: environment.map { (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value) })

        let result = try await withThrowingTaskGroup(of: (TerminationStatus, String, String)?.self) { group in
            group.addTask {
                let run = try await Subprocess.run(
                    .path(FilePath(bwrap)), arguments: Arguments(invocation.arguments), environment: .custom(variables),
                    output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
                return (run.terminationStatus, run.standardOutput, run.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let (status, output, error) = result else { return "the sandbox did not finish within \(timeout)" }
        guard status.isSuccess else {
            let said = error.trimmingCharacters(in: .whitespacesAndNewlines)
            let how = switch status {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "was killed by signal \(signal)"
            }
            return "bwrap \(how): \(said.isEmpty ? "(no output)" : said)"
        }
        let expected = "\(SandboxUser.uid) \(SandboxUser.gid)"
        guard output.trimmingCharacters(in: .whitespacesAndNewlines) == expected else {
            return "the sandbox ran as uid/gid \"\(output.trimmingCharacters(in: .whitespacesAndNewlines))\", expected \(expected)"
        }
        guard (try? String(contentsOf: workspace.appendingPathComponent("probe"), encoding: .utf8)) == "ok\n" else {
            return "the sandbox could not write to its workspace"
        }
        return nil
    }

    private static func versionOf(_ bwrap: String) async -> String {
        let result = try? await Subprocess.run(
            .path(FilePath(bwrap)), arguments: ["--version"], environment: .custom(["PATH": "/usr/bin:/bin", "LANG": "C"]),
            output: .string(limit: 1 << 12), error: .discarded)
        let text = (result?.standardOutput ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown version" : text
    }
}
