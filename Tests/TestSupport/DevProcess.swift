import Foundation

/// A real `netclode dev` process: the embedded forge, control plane and sandboxes, on 127.0.0.1,
/// with its data directory and client context in a temporary directory.
///
/// `NETCLODE_CONTEXT` points into that directory, so the context `dev` writes never touches the
/// user's `~/.config`; a CLI run with the same `NETCLODE_CONTEXT` finds the server by itself.
///
/// Like ``ControlPlaneProcess``, it cleans up when it goes away without ``remove()`` (a test that
/// threw): the process and its sandboxes are killed, the directory removed.
public final class DevProcess: Sendable {
    public var root: TemporaryDirectory { owned.directory }
    private let owned: OwnedDirectory
    public let dataDirectory: URL
    public let contextFile: URL
    public let baseURL: URL
    public let logFile: URL
    private let process: ProcessBox

    private init(root: OwnedDirectory, dataDirectory: URL, contextFile: URL, baseURL: URL, logFile: URL, process: ProcessBox) {
        self.owned = root
        self.dataDirectory = dataDirectory
        self.contextFile = contextFile
        self.baseURL = baseURL
        self.logFile = logFile
        self.process = process
    }

    deinit {
        guard process.killAndWait() else { return }
        let marker = "NETCLODE_CONTROL_PLANE_URL=\(baseURL.absoluteString)"
        for sandbox in SandboxProcesses.all() where sandbox.environment.contains(marker) {
            _ = Foundation.kill(sandbox.pid, SIGKILL)
        }
    }

    /// `netclode dev --data ROOT/.netclode-dev --listen 127.0.0.1:0 [extra]` in a new temporary directory.
    /// The caller's `GITHUB_*` and `NETCLODE_*` variables are not passed on; `environment` is added
    /// (e.g. `NETCLODE_AGENT_COMMAND`).
    public static func start(extraArguments: [String] = [], environment: [String: String] = [:]) async throws -> DevProcess {
        try await start(root: OwnedDirectory(try TemporaryDirectory(prefix: "netclode-dev")), extraArguments: extraArguments,
                        environment: environment, generation: 1)
    }

    /// A new `netclode dev` on the same directory, after ``interrupt(timeout:)``.
    public func restart(extraArguments: [String] = []) async throws -> DevProcess {
        try await Self.start(root: owned, extraArguments: extraArguments, generation: Int(Date().timeIntervalSince1970 * 1000))
    }

    private static func start(root owned: OwnedDirectory, extraArguments: [String], environment extra: [String: String] = [:],
                              generation: Int) async throws -> DevProcess {
        let root = owned.directory
        // The default name, so documentation examples that read `.netclode-dev/dev.json` run as written in ROOT.
        let data = root.url.appendingPathComponent(".netclode-dev", isDirectory: true)
        let context = root.url.appendingPathComponent("context.json")
        let logFile = root.url.appendingPathComponent("dev-\(generation).log")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITHUB_") && !$0.key.hasPrefix("NETCLODE_") }
        environment.merge(extra) { _, new in new }
        environment["NETCLODE_CONTEXT"] = context.path
        let box = try ProcessBox.launch(
            binary: try ForgeProcess.netclodeBinary(),
            arguments: ["dev", "--data", data.path, "--listen", "127.0.0.1:0", "--log-level", "info"] + extraArguments,
            environment: environment, currentDirectory: root.url, logFile: logFile)
        let port = try await box.waitForReadyLine(timeout: .seconds(60), logFile: logFile, prefix: "Netclode control plane listening on http://127.0.0.1:")
        return DevProcess(root: owned, dataDirectory: data, contextFile: context, baseURL: URL(string: "http://127.0.0.1:\(port)")!,
                          logFile: logFile, process: box)
    }

    /// What `dev` printed on stdout (the ready line and the welcome).
    public var output: String { process.standardOutput }

    public var devFile: URL { dataDirectory.appendingPathComponent("dev.json") }

    /// The forge's bare repository `owner/name`.
    public func bareRepository(_ fullName: String) -> URL {
        dataDirectory.appendingPathComponent("forge/repos/\(fullName).git", isDirectory: true)
    }

    /// Ctrl-C: SIGINT, then the exit status (nil if it had to be killed after `timeout`).
    public func interrupt(timeout: Duration = .seconds(30)) async -> Int32? {
        await process.interrupt(SIGINT, timeout: timeout)
    }

    public func logs() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Stops the process (if running) and deletes everything.
    public func remove() async {
        _ = await process.interrupt(SIGINT, timeout: .seconds(15))
        root.remove()
    }
}
