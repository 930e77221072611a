import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `netclode forge` running as a child process on 127.0.0.1 with a free port and its own
/// temporary data directory — GitHub for tests.
///
/// Start it with `ForgeProcess.with(...) { forge in ... }` (stopped and cleaned up whatever the
/// body does) or `start(...)` + `stop()`.
public final class ForgeProcess: Sendable {
    /// What `forge init` creates.
    public struct Setup: Sendable {
        public var owners: [String]
        public var repos: [String]
        public var imports: [String]
        public var uninstalledRepos: [String]
        public var appID: Int?
        /// `--token-ttl` for `forge serve`, in seconds.
        public var tokenTTL: Int?
        /// `--log-level` for `forge serve`: debug for tests (their failures show the logs), quieter
        /// for benchmarks, where writing a line per request would be part of what is measured.
        public var logLevel = "debug"
        /// `--fork FORKOWNER/NAME=OWNER/NAME`: another account's fork, for pull requests from forks.
        public var forks: [String] = []
        /// `--user LOGIN`: users with a token and no role.
        public var users: [String] = []
        /// `--collaborator OWNER/NAME:LOGIN:ROLE`: users with a role (and a token), e.g.
        /// `demo/hello:alice:write`.
        public var collaborators: [String] = []
        /// `--issue OWNER/NAME:AUTHOR:TITLE`: issues opened at init (numbered from 1 per repository).
        public var issues: [String] = []
        /// `--webhook-url` / `--webhook-secret`; a receiver started later is set with ``setWebhook(url:secret:)``.
        public var webhookURL: String?
        public var webhookSecret: String?
        /// What every installation grants instead of the forge's default (`forge init` grants
        /// contents: write, metadata: read, issues: write, pull_requests: write): written into `forge.json` between
        /// `forge init` and `forge serve`, as an App owner narrowing the App's permissions would.
        public var installationPermissions: [String: String]?

        public init(owners: [String] = [], repos: [String] = ["demo/hello"], imports: [String] = [],
                    uninstalledRepos: [String] = [], appID: Int? = nil, tokenTTL: Int? = nil,
                    forks: [String] = [], users: [String] = [], collaborators: [String] = [], issues: [String] = [],
                    webhookURL: String? = nil, webhookSecret: String? = nil) {
            self.owners = owners
            self.repos = repos
            self.imports = imports
            self.uninstalledRepos = uninstalledRepos
            self.appID = appID
            self.tokenTTL = tokenTTL
            self.forks = forks
            self.users = users
            self.collaborators = collaborators
            self.issues = issues
            self.webhookURL = webhookURL
            self.webhookSecret = webhookSecret
        }

        /// The `forge init` arguments of this setup (after `--data DIR --json`).
        var initArguments: [String] {
            var arguments: [String] = []
            if let appID { arguments += ["--app-id", String(appID)] }
            for owner in owners { arguments += ["--owner", owner] }
            for repo in repos { arguments += ["--repo", repo] }
            for value in imports { arguments += ["--import", value] }
            for repo in uninstalledRepos { arguments += ["--uninstalled-repo", repo] }
            for fork in forks { arguments += ["--fork", fork] }
            for user in users { arguments += ["--user", user] }
            for collaborator in collaborators { arguments += ["--collaborator", collaborator] }
            for issue in issues { arguments += ["--issue", issue] }
            if let webhookURL { arguments += ["--webhook-url", webhookURL] }
            if let webhookSecret { arguments += ["--webhook-secret", webhookSecret] }
            return arguments
        }
    }

    /// `http://127.0.0.1:PORT`: both the API base URL and the web/git base URL.
    public let baseURL: URL
    /// The forge's data directory (`forge.json`, `app-private-key.pem`, `repos/`).
    public let dataDirectory: URL
    /// Path of the App's PKCS#1 PEM private key.
    public let privateKeyPath: String
    public let appID: Int
    public let appSlug: String
    public let clientID: String
    /// Installation ID per account login.
    public let installationIDs: [String: Int]
    /// Repositories (`owner/name`) per installation ID.
    public let installationRepos: [Int: [String]]
    public let uninstalledRepos: [String]
    /// `FORK=PARENT` full names of the forks.
    public let forks: [String]
    /// Each user's token file (`DATA/users/LOGIN.token`, 0600) by login; see ``userToken(_:)``.
    public let userTokenPaths: [String: String]
    /// The forge's stderr (logs).
    public let logFile: URL

    private let root: TemporaryDirectory
    private let process: ProcessBox

    private init(baseURL: URL, root: TemporaryDirectory, initOutput: InitOutput, logFile: URL, process: ProcessBox) {
        self.baseURL = baseURL
        self.root = root
        self.dataDirectory = root.url.appendingPathComponent("data", isDirectory: true)
        self.privateKeyPath = initOutput.privateKeyPath
        self.appID = initOutput.appId
        self.appSlug = initOutput.appSlug
        self.clientID = initOutput.clientId
        self.installationIDs = Dictionary(initOutput.installations.map { ($0.account, $0.id) }, uniquingKeysWith: { a, _ in a })
        self.installationRepos = Dictionary(initOutput.installations.map { ($0.id, $0.repos) }, uniquingKeysWith: { a, _ in a })
        self.uninstalledRepos = initOutput.uninstalledRepos
        self.forks = initOutput.forks ?? []
        self.userTokenPaths = Dictionary((initOutput.users ?? []).map { ($0.login, $0.tokenPath) }, uniquingKeysWith: { a, _ in a })
        self.logFile = logFile
        self.process = process
    }

    /// A test that throws before ``stop()`` still leaves no forge running and no directory behind.
    deinit {
        process.killAndWait()
        root.remove()
    }

    // MARK: Lifecycle

    /// The `netclode` binary built next to the test bundle.
    public static func netclodeBinary() throws -> URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let binary = exe.deletingLastPathComponent().appendingPathComponent("netclode")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ForgeProcessError("netclode binary not found at \(binary.path); build it first (`swift build --product netclode`)")
        }
        return binary
    }

    /// Runs `body` with a started forge; stops it and removes its directory afterwards.
    public static func with<T>(_ setup: Setup = Setup(), _ body: (ForgeProcess) async throws -> T) async throws -> T {
        let forge = try await start(setup)
        do {
            let value = try await body(forge)
            await forge.stop()
            return value
        } catch {
            await forge.stop()
            throw error
        }
    }

    /// `start(Setup(...))` with the setup spelled out.
    public static func start(owners: [String] = [], repos: [String] = ["demo/hello"], imports: [String] = [],
                             uninstalledRepos: [String] = [], appID: Int? = nil, tokenTTL: Int? = nil) async throws -> ForgeProcess {
        try await start(Setup(owners: owners, repos: repos, imports: imports, uninstalledRepos: uninstalledRepos,
                              appID: appID, tokenTTL: tokenTTL))
    }

    /// `forge init` into a fresh temporary directory, then `forge serve --listen 127.0.0.1:0`;
    /// returns once the ready line has been printed.
    public static func start(_ setup: Setup = Setup()) async throws -> ForgeProcess {
        let binary = try netclodeBinary()
        let root = try TemporaryDirectory(prefix: "netclode-forge")
        do {
            let data = root.url.appendingPathComponent("data", isDirectory: true)
            let initArguments = ["forge", "init", "--data", data.path, "--json"] + setup.initArguments
            let initResult = try await Subprocess.run(
                .path(FilePath(binary.path)), arguments: Arguments(initArguments),
                output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
            guard case .exited(0) = initResult.terminationStatus else {
                throw ForgeProcessError("forge init failed: \(initResult.standardError)")
            }
            let json = initResult.standardOutput
            let initOutput = try JSONDecoder().decode(InitOutput.self, from: Data(json.utf8))
            if let permissions = setup.installationPermissions {
                try grant(permissions, inForgeAt: data)
            }

            var serveArguments = ["forge", "serve", "--data", data.path, "--listen", "127.0.0.1:0", "--log-level", setup.logLevel]
            if let ttl = setup.tokenTTL { serveArguments += ["--token-ttl", String(ttl)] }
            let logFile = root.url.appendingPathComponent("forge.log")
            // A receiver in this (busy) test process may take longer than GitHub's 10 s to answer
            // a delivery while the whole suite runs; the tests check what is delivered, not how fast.
            var environment = ProcessInfo.processInfo.environment
            environment["NETCLODE_FORGE_WEBHOOK_TIMEOUT"] = environment["NETCLODE_FORGE_WEBHOOK_TIMEOUT"] ?? "120"
            let box = try ProcessBox.launch(binary: binary, arguments: serveArguments, environment: environment, logFile: logFile)
            let port = try await box.waitForReadyLine(timeout: .seconds(90), logFile: logFile)
            let baseURL = URL(string: "http://127.0.0.1:\(port)")!
            return ForgeProcess(baseURL: baseURL, root: root, initOutput: initOutput, logFile: logFile, process: box)
        } catch {
            root.remove()
            throw error
        }
    }

    /// Sets every installation's `permissions` in `DIR/forge.json` (the rest of the file untouched).
    private static func grant(_ permissions: [String: String], inForgeAt data: URL) throws {
        let file = data.appendingPathComponent("forge.json")
        guard var metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any],
              let installations = metadata["installations"] as? [[String: Any]] else {
            throw ForgeProcessError("\(file.path) has no installations")
        }
        metadata["installations"] = installations.map { installation in
            var installation = installation
            installation["permissions"] = permissions
            return installation
        }
        try JSONSerialization.data(withJSONObject: metadata, options: [.prettyPrinted, .sortedKeys]).write(to: file)
    }

    /// SIGTERM, then SIGKILL after 3 s; removes the temporary directory. Safe to call twice.
    public func stop() async {
        await process.terminate(grace: .seconds(3))
        root.remove()
    }

    /// The `forge serve` process (for reading its CPU time or memory under /proc).
    public var processIdentifier: Int32 { process.processIdentifier }

    /// The forge's logs so far.
    public func logs() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    // MARK: Control endpoints

    /// `GET /_forge/stats`.
    public func stats() async throws -> ForgeStatsSnapshot {
        let (data, _) = try await control("GET", "/_forge/stats")
        return try JSONDecoder().decode(ForgeStatsSnapshot.self, from: data)
    }

    /// `POST /_forge/stats/reset`.
    public func resetStats() async throws {
        _ = try await control("POST", "/_forge/stats/reset")
    }

    /// `POST /_forge/faults`: the next `count` API requests (optionally only under `pathPrefix`)
    /// answer `status` (or are only delayed by `delayMs` when `status` is nil); with `reset`, the
    /// connection is reset (TCP RST) instead of answered.
    public func injectFault(status: Int?, count: Int = 1, retryAfter: Int? = nil, rateLimitReset: Int? = nil,
                            delayMs: Int? = nil, pathPrefix: String? = nil, reset: Bool = false) async throws {
        var body: [String: Any] = ["count": count]
        if reset { body["reset"] = true }
        if let status { body["status"] = status }
        if let retryAfter { body["retryAfter"] = retryAfter }
        if let rateLimitReset { body["rateLimitReset"] = rateLimitReset }
        if let delayMs { body["delayMs"] = delayMs }
        if let pathPrefix { body["pathPrefix"] = pathPrefix }
        _ = try await control("POST", "/_forge/faults", body: try JSONSerialization.data(withJSONObject: body))
    }

    /// `DELETE /_forge/faults`.
    public func clearFaults() async throws {
        _ = try await control("DELETE", "/_forge/faults")
    }

    /// `POST /_forge/repos/rename`, e.g. `("demo/hello", "demo/renamed")`.
    public func renameRepository(from: String, to: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["from": from, "to": to])
        _ = try await control("POST", "/_forge/repos/rename", body: body)
    }

    /// The bare repository of `owner/name` on disk.
    public func bareRepository(_ fullName: String) -> URL {
        dataDirectory.appendingPathComponent("repos").appendingPathComponent(fullName + ".git")
    }

    /// `bareRepository(fullName).path`.
    public func bareRepositoryPath(_ fullName: String) -> String {
        bareRepository(fullName).path
    }

    /// `http://127.0.0.1:PORT/owner/name.git`.
    public func cloneURL(_ fullName: String) -> URL {
        baseURL.appendingPathComponent(fullName + ".git")
    }

    func control(_ method: String, _ path: String, body: Data? = nil) async throws -> (Data, Int) {
        // The path may carry a query (`?per_page=100`), which appendingPathComponent would escape.
        var request = URLRequest(url: URL(string: baseURL.absoluteString + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw ForgeProcessError("\(method) \(path) → \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return (data, status)
    }

    /// `forge init --json` output.
    struct InitOutput: Decodable {
        struct Installation: Decodable {
            var id: Int
            var account: String
            var repos: [String]
        }

        var appId: Int
        var appSlug: String
        var clientId: String
        struct User: Decodable {
            var login: String
            var tokenPath: String
        }

        var privateKeyPath: String
        var installations: [Installation]
        var uninstalledRepos: [String]
        var forks: [String]?
        var users: [User]?
    }
}

/// `GET /_forge/stats`.
public struct ForgeStatsSnapshot: Decodable, Sendable, Equatable {
    public var mints: Int
    public var revocations: Int
    public var installationLookups: Int
    public var gitRequests: Int
    public var apiRequests: Int
    public var faultsInjected: Int
    /// Mints per installation ID (as a string, as in the JSON).
    public var mintsByInstallation: [String: Int]

    public init(mints: Int, revocations: Int, installationLookups: Int, gitRequests: Int, apiRequests: Int,
                faultsInjected: Int, mintsByInstallation: [String: Int]) {
        self.mints = mints
        self.revocations = revocations
        self.installationLookups = installationLookups
        self.gitRequests = gitRequests
        self.apiRequests = apiRequests
        self.faultsInjected = faultsInjected
        self.mintsByInstallation = mintsByInstallation
    }
}

public struct ForgeProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The child process and its stdout, behind a lock.
final class ProcessBox: Sendable {
    private struct State {
        var process: Process
        var stdout = Data()
        var stopped = false
    }

    private let state: Mutex<State>

    private init(process: Process) {
        state = Mutex(State(process: process))
    }

    /// Whoever owned the process (a fixture of a test that threw before its `finish()`), it does
    /// not outlive them: tests on a shared CI machine must not leave servers running.
    deinit {
        killAndWait()
    }

    static func launch(binary: URL, arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil, logFile: URL) throws -> ProcessBox {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        let box = ProcessBox(process: process)
        pipe.fileHandleForReading.readabilityHandler = { [weak box] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            box?.state.withLock { $0.stdout.append(data) }
        }
        try process.run()
        return box
    }

    /// Polls stdout for `<prefix>PORT`, e.g. `Forge listening on http://127.0.0.1:PORT`.
    func waitForReadyLine(timeout: Duration, logFile: URL, prefix: String = "Forge listening on http://127.0.0.1:") async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (output, running) = state.withLock { (String(decoding: $0.stdout, as: UTF8.self), $0.process.isRunning) }
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
               let port = Int(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)) {
                return port
            }
            if !running {
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw ForgeProcessError("the process exited before it was ready:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill()
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw ForgeProcessError("no ready line (\(prefix)...) within \(timeout):\n\(log)")
    }

    func terminate(grace: Duration) async {
        let shouldStop = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped && state.process.isRunning
        }
        guard shouldStop else { return }
        state.withLock { $0.process.terminate() }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if !(state.withLock { $0.process.isRunning }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill()
    }

    /// Sends `signal` (e.g. SIGINT, as Ctrl-C does) and waits up to `timeout` for the exit; the
    /// exit status, or nil when the process was still running (it is then killed).
    func interrupt(_ signal: Int32 = SIGINT, timeout: Duration) async -> Int32? {
        let pid = state.withLock { state -> Int32? in
            defer { state.stopped = true }
            return state.process.isRunning ? state.process.processIdentifier : nil
        }
        if let pid { _ = Foundation.kill(pid, signal) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = state.withLock({ $0.process.isRunning ? nil : $0.process.terminationStatus }) { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill()
        return nil
    }

    /// Everything the process wrote to stdout so far.
    var standardOutput: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    var processIdentifier: Int32 { state.withLock { $0.process.processIdentifier } }

    var isRunning: Bool { state.withLock { $0.process.isRunning } }

    /// SIGKILL if still running, then blocks until it has exited (at most `timeout`), so what runs
    /// next (removing its directory, killing what it left) does not race with it. For teardown
    /// paths that cannot `await` (`deinit`); returns whether the process was still running.
    @discardableResult
    func killAndWait(timeout: Duration = .seconds(10)) -> Bool {
        let wasRunning = state.withLock { $0.process.isRunning }
        guard wasRunning else { return false }
        kill()
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.process.isRunning }), ContinuousClock.now < deadline {
            usleep(10_000)
        }
        return true
    }

    /// SIGKILL if still running.
    func kill() {
        state.withLock { state in
            if state.process.isRunning {
                _ = Foundation.kill(state.process.processIdentifier, SIGKILL)
            }
            state.stopped = true
        }
    }
}
