import Foundation

/// A real `netclode serve` process on 127.0.0.1 with its own data directory, for end-to-end tests.
///
/// The data directory outlives `stop()` so a test can start a second process on it (a restart);
/// `remove()` deletes it.
///
/// Fixtures end with an `async` `finish()`, which a test that throws never reaches (and `defer`
/// cannot `await`). So the object cleans up after itself when it goes away: if the process still
/// runs then, it is killed with the sandboxes it started, and the directory is removed once no
/// process object of it (a restart shares it) is left.
public final class ControlPlaneProcess: Sendable {
    public static let apiToken = "test-api-token-0123456789abcdef"

    public let baseURL: URL
    public let dataDirectory: URL
    public let logFile: URL
    public let environment: [String: String]
    private let owned: OwnedDirectory
    private var root: TemporaryDirectory { owned.directory }
    private let process: ProcessBox

    private init(baseURL: URL, dataDirectory: URL, logFile: URL, environment: [String: String], root: OwnedDirectory, process: ProcessBox) {
        self.baseURL = baseURL
        self.dataDirectory = dataDirectory
        self.logFile = logFile
        self.environment = environment
        self.owned = root
        self.process = process
    }

    deinit {
        guard process.killAndWait() else { return }
        // It was still running, so its port was still its own: the sandboxes that name it are its.
        // Under bubblewrap they die with it; unisolated ones run in sessions of their own and
        // would outlive it.
        let marker = "NETCLODE_CONTROL_PLANE_URL=\(baseURL.absoluteString)"
        for sandbox in SandboxProcesses.all() where sandbox.environment.contains(marker) {
            _ = Foundation.kill(sandbox.pid, SIGKILL)
        }
    }

    /// The settings that point a control plane at `forge` exactly as at github.com.
    public static func githubEnvironment(for forge: ForgeProcess) -> [String: String] {
        [
            "GITHUB_APP_ID": "\(forge.appID)",
            "GITHUB_APP_PRIVATE_KEY_PATH": forge.privateKeyPath,
            "GITHUB_API_URL": forge.baseURL.absoluteString,
            "GITHUB_WEB_URL": forge.baseURL.absoluteString,
        ]
    }

    /// Starts `netclode serve --listen 127.0.0.1:<port>` (0: any free port) with `environment`
    /// (plus the API token) in a fresh temporary directory, and waits for its ready line.
    /// `logLevel` is passed as `--log-level` (nil: no flag, so NETCLODE_LOG_LEVEL or the default
    /// decides).
    public static func start(environment: [String: String], logLevel: String? = "debug", port: Int = 0) async throws -> ControlPlaneProcess {
        let root = OwnedDirectory(try TemporaryDirectory(prefix: "netclode-cp"))
        return try await start(root: root, environment: environment, generation: 1, logLevel: logLevel, port: port)
    }

    /// A new process on the same data directory (after `stop()` or `kill()`), as after a restart.
    /// `keepingPort` listens where this one did, so clients (and agents) find it again at the same
    /// URL, as behind a Service.
    public func restart(keepingPort: Bool = false) async throws -> ControlPlaneProcess {
        try await Self.start(root: owned, environment: environment, generation: Int(Date().timeIntervalSince1970 * 1000),
                             port: keepingPort ? baseURL.port ?? 0 : 0)
    }

    private static func start(root owned: OwnedDirectory, environment: [String: String], generation: Int, logLevel: String? = "debug",
                              port: Int = 0) async throws -> ControlPlaneProcess {
        let root = owned.directory
        let data = root.url.appendingPathComponent("data", isDirectory: true)
        let logFile = root.url.appendingPathComponent("serve-\(generation).log")
        var full = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITHUB_") && !$0.key.hasPrefix("NETCLODE_") }
        full.merge(environment) { _, new in new }
        full["NETCLODE_API_TOKEN"] = full["NETCLODE_API_TOKEN"] ?? apiToken
        // The suites written before credential modes test token mode; proxy-mode tests ask for it
        // per session (or set the variable, empty for the server's own default).
        full["NETCLODE_CREDENTIAL_MODE"] = full["NETCLODE_CREDENTIAL_MODE"] ?? "token"
        let box = try ProcessBox.launch(
            binary: try ForgeProcess.netclodeBinary(),
            arguments: ["serve", "--listen", "127.0.0.1:\(port)", "--data", data.path] + (logLevel.map { ["--log-level", $0] } ?? []),
            environment: full, currentDirectory: root.url, logFile: logFile
        )
        let port = try await box.waitForReadyLine(timeout: .seconds(90), logFile: logFile, prefix: "Netclode control plane listening on http://127.0.0.1:")
        return ControlPlaneProcess(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, dataDirectory: data, logFile: logFile,
            environment: environment, root: owned, process: box
        )
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Everything the process printed on stdout so far (its ready lines).
    public var standardOutput: String { process.standardOutput }

    /// Whether the process still runs (false once it has exited and been reaped).
    public var isRunning: Bool { process.isRunning }

    /// SIGTERM (graceful shutdown), then SIGKILL after `grace`.
    public func stop(grace: Duration = .seconds(10)) async {
        await process.terminate(grace: grace)
    }

    /// SIGKILL at once, as a crash.
    public func kill() {
        process.kill()
    }

    /// Every log this control plane's directory holds (its own and its agents').
    public func allLogs() -> String {
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: root.path)) ?? []
        return files.filter { $0.hasSuffix(".log") }.compactMap { try? String(contentsOfFile: root.url.appendingPathComponent($0).path, encoding: .utf8) }.joined(separator: "\n")
    }

    /// Stops the process and deletes the data directory.
    public func remove() async {
        await stop(grace: .seconds(5))
        root.remove()
    }
}
