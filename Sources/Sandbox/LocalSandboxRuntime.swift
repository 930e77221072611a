import Foundation
import Logging
import SocketRelay
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The embedded sandbox runtime: one directory and one supervised process per session on this
/// machine, isolated with bubblewrap unless the operator chose `NETCLODE_SANDBOX=none`.
///
/// Layout under the data directory:
///
///     sessions/<id>/home        HOME of the process
///     sessions/<id>/workspace   its working directory (repositories are cloned here)
///     logs/<id>.log             its stdout and stderr, appended (outside the sandbox)
///     run/sessions/<id>/        the runtime's files for it (outside the session directory,
///                               bound read-only): passwd, group, and on an isolated network
///                               egress.sock, the session's egress proxy (``EgressProxy``)
///
/// Under bubblewrap the process sees the system directories read-only, its executable, and its
/// own session directory — not the rest of the data directory (database, other sessions, logs)
/// and none of `hiddenPaths`; ``start(_:)`` refuses to run rather than expose one of them
/// (see ``ExposureCheck``). Its secrets arrive on its standard input, not in its environment
/// (see `SecretHandover`). Each process runs in a Task that waits for it; an exit that ``stop``
/// did not cause is reported on ``events``. Blocking file-system and `/proc` work
/// runs on NIO's blocking pool (``BlockingWork``), and waits are sleeps or continuations, so
/// one session's slow disk never holds up another's calls.
public actor LocalSandboxRuntime: SandboxRuntime {
    /// The control plane's data directory (canonical: absolute, symlinks resolved).
    public nonisolated let dataDirectory: URL
    /// `dataDirectory/sessions` unless given: one directory per session.
    public nonisolated let sessionsDirectory: URL
    /// `dataDirectory/logs`: one log file per session.
    public nonisolated let logsDirectory: URL
    /// `dataDirectory/run/sessions`: the runtime's own files for each sandbox.
    public nonisolated let runtimeFilesDirectory: URL
    /// Whether sandboxes run under bubblewrap (`bwrap` or `auto` mode with `bwrap` installed);
    /// false when they run unisolated (`none`) or cannot start at all (no `bwrap`).
    public nonisolated let isolationInUse: Bool
    /// The `netclode` binary sandboxes run (as `netclode agent`) unless a spec names a
    /// ``SandboxSpec/hostExecutable``.
    public nonisolated let agentExecutable: String
    /// Local sandboxes are processes of this machine: they are stopped when the control plane
    /// shuts down, and a restart starts them again.
    public nonisolated let sandboxesOutliveControlPlane = false
    public nonisolated let events: AsyncStream<SandboxEvent>
    private nonisolated let eventSink: AsyncStream<SandboxEvent>.Continuation

    private let isolation: IsolationMode
    private let bwrapPath: String?
    private let hiddenPaths: [String]
    private let logger: Logger

    private var sandboxes: [String: RunningSandbox] = [:]
    private var exitCodes: [String: Int32] = [:]
    private var libraryDirectories: [String: [String]] = [:]
    private var bwrapFeatures: BubblewrapFeatures?
    private var nextGeneration: UInt64 = 0
    /// stop() calls waiting for a start in progress to finish, by session.
    private var stopsWaitingForStart: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var removalHook: (@Sendable (URL) -> Void)?

    /// How long ``remove(sessionID:)`` lets a running sandbox shut down before killing it.
    static let removeGrace: Duration = .seconds(5)

    /// - Parameters:
    ///   - dataDirectory: the control plane's data directory; `sessions/<id>` holds each session,
    ///     process output goes to `logs/<id>.log` (outside the sandbox).
    ///   - isolation: see ``IsolationMode``.
    ///   - agentExecutable: the `netclode` binary to run as the agent (default: this process's
    ///     own executable).
    ///   - hiddenPaths: extra paths that must never be visible inside (e.g. the App private key
    ///     file, the forge's data directory): the runtime refuses to start a sandbox if any bind
    ///     mount would expose one of them or the data directory.
    ///   - sessionsDirectory: where the session directories go instead of `dataDirectory/sessions`
    ///     (`NETCLODE_WORKSPACES_DIR`: storage replicas share, so a session another replica takes
    ///     over finds its workspace).
    public init(dataDirectory: URL, isolation: IsolationMode, agentExecutable: String = LocalSandboxRuntime.currentExecutable,
                hiddenPaths: [String] = [], sessionsDirectory: URL? = nil, logger: Logger) {
        self.init(dataDirectory: dataDirectory, isolation: isolation, agentExecutable: agentExecutable, hiddenPaths: hiddenPaths, logger: logger,
                  searchPath: ProcessInfo.processInfo.environment["PATH"], sessionsDirectory: sessionsDirectory)
    }

    /// `searchPath` is where `bwrap` is looked for (tests use it to simulate a machine without it).
    init(dataDirectory: URL, isolation: IsolationMode, agentExecutable: String = LocalSandboxRuntime.currentExecutable,
         hiddenPaths: [String], logger: Logger, searchPath: String?, sessionsDirectory: URL? = nil) {
        let data = URL(fileURLWithPath: HostPath.canonical(dataDirectory.path), isDirectory: true)
        self.agentExecutable = agentExecutable
        (events, eventSink) = AsyncStream.makeStream(of: SandboxEvent.self)
        self.dataDirectory = data
        self.sessionsDirectory = sessionsDirectory.map { URL(fileURLWithPath: HostPath.canonical($0.path), isDirectory: true) }
            ?? data.appendingPathComponent("sessions", isDirectory: true)
        self.logsDirectory = data.appendingPathComponent("logs", isDirectory: true)
        self.runtimeFilesDirectory = data.appendingPathComponent("run", isDirectory: true).appendingPathComponent("sessions", isDirectory: true)
        self.isolation = isolation
        self.hiddenPaths = hiddenPaths.filter { !$0.isEmpty }
        self.logger = logger

        let bwrap = isolation == .none ? nil : BubblewrapLocator.find(searchPath: searchPath)
        self.bwrapPath = bwrap
        self.isolationInUse = bwrap != nil

        switch (isolation, bwrap) {
        case (.none, _):
            logger.warning("Sandbox isolation is OFF (NETCLODE_SANDBOX=none): sandbox processes can read everything this user can, including the data directory and the GitHub App private key")
        case (_, nil):
            logger.error("bubblewrap (bwrap) was not found on PATH; sessions will not start until it is installed (e.g. `apt-get install bubblewrap`), or until NETCLODE_SANDBOX=none is set to run them unisolated on purpose")
        case (_, let path?):
            logger.info("Sandboxes are isolated with bubblewrap", metadata: ["bwrap": "\(path)"])
        }
    }

    deinit {
        eventSink.finish()
    }

    /// `sessionsDirectory/<sessionID>`. Does not validate the ID: callers that build paths from
    /// untrusted input must check it first (``start(_:)`` and ``remove(sessionID:)`` do).
    public nonisolated func directory(of sessionID: String) -> URL {
        sessionsDirectory.appendingPathComponent(sessionID, isDirectory: true)
    }

    /// `logsDirectory/<sessionID>.log`.
    public nonisolated func logFile(of sessionID: String) -> URL {
        logsDirectory.appendingPathComponent("\(sessionID).log", isDirectory: false)
    }

    /// `runtimeFilesDirectory/<sessionID>`: the sandbox's passwd, group and egress socket.
    public nonisolated func runtimeFiles(of sessionID: String) -> URL {
        runtimeFilesDirectory.appendingPathComponent(sessionID, isDirectory: true)
    }

    /// This process's executable (`/proc/self/exe`): `netclode` runs itself as the agent.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Host PID of the session's running process (tests compare it with what the sandbox sees).
    public func pid(of sessionID: String) -> Int32? {
        sandboxes[sessionID]?.pid
    }

    // MARK: SandboxRuntime

    public func checkCanStart() throws {
        try checkCanStart(executable: agentExecutable, sessionID: nil)
    }

    private func checkCanStart(executable: String, sessionID: String?) throws {
        guard executable.hasPrefix("/") else {
            throw SandboxError(.invalidSpec, "the sandbox executable must be an absolute path, got \"\(executable)\"")
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw SandboxError(.invalidSpec, "the sandbox executable \(executable) does not exist or is not executable")
        }
        // Fail closed: only an explicit NETCLODE_SANDBOX=none runs a sandbox unisolated.
        if isolation != .none, bwrapPath == nil {
            throw SandboxError.bwrapNotFound(sessionID: sessionID, mode: isolation)
        }
    }

    public func start(_ spec: SandboxSpec) async throws -> SandboxInfo {
        try await startLocal(spec).info
    }

    /// ``start(_:)``, answering with the host process and directories.
    public func startLocal(_ spec: SandboxSpec) async throws -> LocalSandbox {
        let id = spec.sessionID
        let executable = spec.hostExecutable ?? agentExecutable
        try SessionID.validate(id)
        guard sandboxes[id] == nil else { throw SandboxError.alreadyRunning(id) }
        try checkCanStart(executable: executable, sessionID: id)
        let isolated = isolation != .none

        let directory = directory(of: id)
        let home = directory.appendingPathComponent("home", isDirectory: true)
        let workspace = directory.appendingPathComponent("workspace", isDirectory: true)
        let logFile = logFile(of: id)
        let ownFiles = runtimeFiles(of: id)
        let files = BubblewrapInvocation.RuntimeFiles(
            passwd: ownFiles.appendingPathComponent("passwd").path, group: ownFiles.appendingPathComponent("group").path,
            controlPlaneSocket: spec.network == .isolated ? spec.controlPlaneSocket : nil,
            egressSocket: spec.network == .isolated ? ownFiles.appendingPathComponent("egress.sock").path : nil)
        var requested = spec.environment
        if spec.network == .isolated {
            try checkIsolatedNetwork(spec, files: files, isolated: isolated)
            requested[SandboxSocket.controlPlaneVariable] = SandboxSocket.controlPlane
            requested[SandboxSocket.egressVariable] = SandboxSocket.egress
        }
        let (environment, handover) = try SecretHandover.split(
            SandboxEnvironment.make(requested, home: home.path, workspace: workspace.path),
            secretVariables: spec.secretVariables)

        // Reserve the session before the first suspension point, so a concurrent start of the
        // same session fails with alreadyRunning instead of racing this one.
        nextGeneration += 1
        let generation = nextGeneration
        sandboxes[id] = RunningSandbox(generation: generation, isolated: isolated)
        exitCodes[id] = nil
        do {
            let command: (executable: String, arguments: [String])
            if isolated, let bwrapPath {
                let invocation = BubblewrapInvocation.make(
                    executable: executable, arguments: spec.arguments,
                    sessionDirectory: directory.path, workspace: workspace.path,
                    libraryDirectories: await libraryDirectories(of: executable),
                    runtimeFiles: files, network: spec.network,
                    disableUserNamespaces: await features(of: bwrapPath).disableUserNamespaces)
                try ExposureCheck.verify(
                    mounts: invocation.mounts, sessionDirectory: directory.path,
                    sessionsRoot: sessionsDirectory.path, dataDirectory: dataDirectory.path,
                    hiddenPaths: hiddenPaths, runtimeFiles: files.paths)
                command = (bwrapPath, invocation.arguments)
            } else {
                command = (executable, spec.arguments)
            }

            let header = "==> \(Date().ISO8601Format()) starting sandbox of session \(id) (\(isolated ? "bubblewrap" : "UNISOLATED")): \(([executable] + spec.arguments).joined(separator: " "))\n"
            let (sessionsDirectory, logsDirectory) = (self.sessionsDirectory, self.logsDirectory)
            let writeAccounts = isolated
            let (log, input) = try await BlockingWork.run { () throws(SandboxError) -> (FileDescriptor, FileDescriptor) in
                for url in [sessionsDirectory, directory, home, workspace, logsDirectory] {
                    try SessionFiles.makePrivateDirectory(url)
                }
                if writeAccounts {
                    try SessionFiles.makePrivateDirectory(ownFiles)
                    try SessionFiles.writeReadable(SandboxUser.passwd(home: home.path), to: files.passwd)
                    try SessionFiles.writeReadable(SandboxUser.group(), to: files.group)
                }
                let log = try SessionFiles.openLog(logFile, header: header)
                do throws(SandboxError) {
                    return (log, try SecretHandover.makePipe(holding: handover))
                } catch {
                    try? log.close()
                    throw error
                }
            }

            if let socket = files.egressSocket {
                let proxy = try await startEgressProxy(sessionID: id, socket: socket, policy: spec.egress)
                if sandboxes[id]?.generation == generation {
                    sandboxes[id]?.egressProxy = proxy
                } else {
                    await proxy.stop()  // stopped while the proxy started
                }
            }

            let (pid, runner) = try await launch(
                sessionID: id, generation: generation, executable: command.executable, arguments: command.arguments,
                environment: environment, workingDirectory: workspace.path, input: input, log: log)
            // A process that exits at once may already have been recorded by processExited.
            if sandboxes[id]?.generation == generation {
                sandboxes[id]?.pid = pid
                sandboxes[id]?.runner = runner
            }
            if isolated {
                let namespace = await waitForNamespace(sessionID: id, generation: generation, outerPID: pid)
                if sandboxes[id]?.generation == generation {
                    sandboxes[id]?.namespace = namespace
                }
            }
            if sandboxes[id]?.generation == generation {
                sandboxes[id]?.ready = true
            }
            wakeStopsWaiting(for: id)
            logger.info("Sandbox started", metadata: [
                "session_id": "\(id)", "pid": "\(pid)", "isolated": "\(isolated)", "log": "\(logFile.path)",
            ])
            return LocalSandbox(sessionID: id, pid: pid, directory: directory, home: home, workspace: workspace,
                                logFile: logFile, isolated: isolated)
        } catch {
            if sandboxes[id]?.generation == generation {
                let proxy = sandboxes[id]?.egressProxy
                sandboxes[id] = nil
                await proxy?.stop()
            }
            wakeStopsWaiting(for: id)
            logger.error("Sandbox failed to start", metadata: ["session_id": "\(id)", "error": "\(error)"])
            throw error
        }
    }

    public func stop(sessionID: String, grace: Duration) async {
        guard SessionID.isValid(sessionID) else { return }
        // Let a start in progress finish, so there is a PID and a namespace to signal. start()
        // (or the exit of its process) wakes us; no polling.
        while let sandbox = sandboxes[sessionID], !sandbox.ready {
            await withCheckedContinuation { continuation in
                stopsWaitingForStart[sessionID, default: []].append(continuation)
            }
        }
        guard let sandbox = sandboxes[sessionID], let pid = sandbox.pid, let runner = sandbox.runner else { return }
        sandboxes[sessionID]?.stopRequested = true
        logger.info("Stopping sandbox", metadata: ["session_id": "\(sessionID)", "pid": "\(pid)"])

        let isolated = sandbox.isolated
        let namespace = sandbox.namespace
        // Reads /proc to find the namespace's members: blocking work.
        _ = await BlockingWork.perform { ProcessSignals.terminate(pid: pid, isolated: isolated, namespace: namespace) }
        let exited = ExitFlag()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = await runner.value
                exited.set()
            }
            group.addTask {
                try? await Task.sleep(for: grace)
                if !exited.isSet {
                    _ = await BlockingWork.perform { ProcessSignals.forceKill(pid: pid, isolated: isolated, namespace: namespace) }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    public func status(sessionID: String) async -> SandboxStatus {
        if let sandbox = sandboxes[sessionID] {
            return sandbox.pid == nil ? .notRunning : .running
        }
        if let code = exitCodes[sessionID] {
            return .exited(code: code)
        }
        return .notRunning
    }

    public func remove(sessionID: String) async throws {
        try SessionID.validate(sessionID)
        await stop(sessionID: sessionID, grace: Self.removeGrace)
        exitCodes[sessionID] = nil
        // Renaming is one quick system call, done here so the session's paths are free the
        // moment this returns to the actor (a start of the same ID right after gets fresh
        // directories). The recursive delete, as long as the workspace is large, runs on the
        // blocking pool while the actor serves other sessions.
        var doomed: [URL] = []
        for url in [directory(of: sessionID), logFile(of: sessionID), runtimeFiles(of: sessionID)] {
            if let aside = try SessionFiles.moveAside(url, tag: "\(sessionID)-\(UUID().uuidString)") {
                doomed.append(aside)
            }
        }
        let (hook, paths) = (removalHook, doomed)
        try await BlockingWork.run { () throws(SandboxError) in
            for url in paths {
                hook?(url)
                try SessionFiles.removeTree(url)
            }
        }
        logger.info("Sandbox removed", metadata: ["session_id": "\(sessionID)"])
    }

    /// Local sandboxes die with the control plane: there is never one to adopt.
    public func adoptRunning() -> [AdoptedSandbox] { [] }

    /// Stops every sandbox: none may outlive the control plane.
    public func shutdown(grace: Duration) async {
        await stopAll(grace: grace)
    }

    /// Stops every running sandbox concurrently.
    public func stopAll(grace: Duration) async {
        let ids = Array(sandboxes.keys)
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask { await self.stop(sessionID: id, grace: grace) }
            }
        }
    }

    // MARK: Process supervision

    /// Spawns the process in a detached Task that supervises it until it exits; returns once it
    /// runs (its PID) or throws if it could not be spawned.
    private func launch(
        sessionID: String, generation: UInt64, executable: String, arguments: [String],
        environment: [String: String], workingDirectory: String, input: FileDescriptor, log: FileDescriptor
    ) async throws -> (Int32, Task<Void, Never>) {
        var options = PlatformOptions()
        // Its own session and process group: signals to the group never reach the control plane,
        // and the process cannot read from or signal the control plane's terminal.
        options.createSession = true
        // Only used if the supervising Task were cancelled; stop() signals explicitly.
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(5))]
        var variables: [Environment.Key: String] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { variables[key] = value }
        }
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .custom(variables),
            workingDirectory: FilePath(workingDirectory),
            platformOptions: options)

        let (started, startedContinuation) = AsyncThrowingStream<Int32, any Error>.makeStream()
        let runner = Task.detached { [self] in
            let code: Int32
            do {
                let result = try await Subprocess.run(
                    // Standard input: the secret handover (see SecretHandover), EOF when empty.
                    configuration, input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                    output: .fileDescriptor(log, closeAfterSpawningProcess: true),
                    error: .combinedWithOutput
                ) { execution in
                    startedContinuation.yield(execution.processIdentifier.value)
                    startedContinuation.finish()
                }
                code = Self.exitCode(result.terminationStatus)
            } catch {
                startedContinuation.finish(throwing: error)
                return
            }
            await self.processExited(sessionID: sessionID, generation: generation, code: code)
        }
        do {
            for try await pid in started {
                return (pid, runner)
            }
        } catch {
            throw SandboxError(.launchFailed, "cannot start the sandbox of session \(sessionID) (\(executable)): \(error)")
        }
        throw SandboxError(.launchFailed, "cannot start the sandbox of session \(sessionID) (\(executable))")
    }

    /// Records an exit; reports it on ``events`` unless ``stop`` caused it.
    private func processExited(sessionID: String, generation: UInt64, code: Int32) async {
        guard let sandbox = sandboxes[sessionID], sandbox.generation == generation else { return }
        sandboxes[sessionID] = nil
        wakeStopsWaiting(for: sessionID)
        // Its way out goes with it.
        await sandbox.egressProxy?.stop()
        if !sandbox.isolated, let pid = sandbox.pid {
            // Background jobs an unisolated process left behind (a PID namespace is already gone).
            ProcessSignals.killLeftovers(pid: pid) // one kill(2): not worth a thread hop
        }
        if sandbox.stopRequested {
            logger.info("Sandbox stopped", metadata: ["session_id": "\(sessionID)", "code": "\(code)"])
            return
        }
        exitCodes[sessionID] = code
        logger.notice("Sandbox exited on its own", metadata: ["session_id": "\(sessionID)", "code": "\(code)"])
        eventSink.yield(.exited(sessionID: sessionID, code: code))
    }

    /// What an isolated network needs: bubblewrap (namespaces), the control plane's listener to
    /// bind in, and socket paths the kernel accepts. Fails closed with what is missing.
    private func checkIsolatedNetwork(_ spec: SandboxSpec, files: BubblewrapInvocation.RuntimeFiles, isolated: Bool) throws(SandboxError) {
        guard isolated else {
            throw .isolatedNetworkUnavailable(sessionID: spec.sessionID, "NETCLODE_SANDBOX=none runs sandboxes without namespaces, so they share the host's network; use NETCLODE_SANDBOX_NETWORK=host with it, or isolate sandboxes with bubblewrap")
        }
        guard let socket = spec.controlPlaneSocket else {
            throw .isolatedNetworkUnavailable(sessionID: spec.sessionID, "no control-plane socket was given for the agent to reach the control plane")
        }
        for path in [socket, files.egressSocket ?? ""] {
            if let problem = UnixSocketPath.problem(with: path) {
                throw .isolatedNetworkUnavailable(sessionID: spec.sessionID, "\(problem); choose a shorter data directory (NETCLODE_DATA_DIR)")
            }
        }
    }

    /// Serves the session's egress proxy on `socket`; its refusals go to the egress handler.
    private func startEgressProxy(sessionID: String, socket: String, policy: EgressPolicy) async throws -> EgressProxy {
        var logger = self.logger
        logger[metadataKey: "session_id"] = "\(sessionID)"
        do {
            return try await EgressProxy.start(socketPath: socket, policy: policy, logger: logger) { [eventSink] host, port, reason in
                eventSink.yield(.egressRefused(EgressRefusal(sessionID: sessionID, host: host, port: port, reason: reason)))
            }
        } catch {
            throw SandboxError(.isolatedNetworkUnavailable, "cannot start the egress proxy of session \(sessionID) on \(socket): \(error)")
        }
    }

    /// The exit status, or 128 + signal when the process was killed (as a shell reports it).
    static func exitCode(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): Int32(code)
        case .signaled(let signal): 128 + Int32(signal)
        }
    }

    /// Waits until bwrap has created the sandbox's PID namespace and started the program in it
    /// (milliseconds), so that stop() always has the program to send SIGTERM to, rather than only
    /// bwrap's outer process. Gives up when the process exits first, or after 5 seconds (stop
    /// then looks for the namespace again).
    ///
    /// bwrap could report its child's PID through `--info-fd`, but swift-subprocess closes every
    /// descriptor above 2 in the child, so there is no descriptor to report on. Each look is a
    /// few reads of small `/proc` files (bwrap's children, then its init's), done on the blocking
    /// pool; between looks the task sleeps, backing off from 1 ms to 50 ms, so a slow start costs
    /// about a hundred looks, not thousands of whole-`/proc` scans.
    private func waitForNamespace(sessionID: String, generation: UInt64, outerPID: Int32) async -> PIDNamespace? {
        let deadline = ContinuousClock.now + .seconds(5)
        var found: PIDNamespace?
        var pause = Duration.milliseconds(1)
        while sandboxes[sessionID]?.generation == generation, ContinuousClock.now < deadline {
            let known = found
            let (namespace, started) = await BlockingWork.perform { () -> (PIDNamespace?, Bool) in
                let namespace = known ?? PIDNamespace.ofSandbox(launchedAs: outerPID)
                return (namespace, namespace?.hasProgram() ?? false)
            } ?? (found, false)
            found = namespace
            if let namespace, started { return namespace }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
        if let found { return found }
        if sandboxes[sessionID]?.generation == generation {
            logger.warning("bwrap created no PID namespace within 5 seconds", metadata: ["session_id": "\(sessionID)", "pid": "\(outerPID)"])
        }
        return nil
    }

    /// Resumes every ``stop(sessionID:grace:)`` waiting for the start of `sessionID` to finish;
    /// each looks at the session again.
    private func wakeStopsWaiting(for sessionID: String) {
        for continuation in stopsWaitingForStart.removeValue(forKey: sessionID) ?? [] {
            continuation.resume()
        }
    }

    /// Whether a start of `sessionID` is under way (tests use it to stop a starting sandbox).
    func isStarting(_ sessionID: String) -> Bool {
        sandboxes[sessionID].map { !$0.ready } ?? false
    }

    /// Called on the blocking pool with each path ``remove(sessionID:)`` is about to delete
    /// (tests use it to hold a removal and show the actor stays free meanwhile).
    func setRemovalHook(_ hook: (@Sendable (URL) -> Void)?) {
        removalHook = hook
    }

    /// `ldd`'s answer for `executable`, asked once per executable.
    /// What the installed bwrap supports, asked once.
    private func features(of bwrap: String) async -> BubblewrapFeatures {
        if let bwrapFeatures { return bwrapFeatures }
        let features = await BubblewrapFeatures.probe(bwrap)
        if !features.disableUserNamespaces {
            logger.warning("this bwrap has no --disable-userns (bubblewrap 0.8+): sandboxes can create user namespaces of their own")
        }
        bwrapFeatures = features
        return features
    }

    private func libraryDirectories(of executable: String) async -> [String] {
        if let cached = libraryDirectories[executable] { return cached }
        let directories = await SharedLibraries.directories(of: executable)
        libraryDirectories[executable] = directories
        return directories
    }
}

/// What the runtime tracks for a started (or starting) sandbox.
private struct RunningSandbox {
    /// Distinguishes successive runs of the same session, so a late exit of an old process
    /// cannot clear the entry of a new one.
    var generation: UInt64
    var isolated: Bool
    /// Host PID of the started process; nil while starting.
    var pid: Int32?
    /// The Task supervising the process; finishes after the exit has been recorded.
    var runner: Task<Void, Never>?
    /// The sandbox's PID namespace (bubblewrap only), found right after the start.
    var namespace: PIDNamespace?
    /// Set when ``LocalSandboxRuntime/start(_:)`` is done with it; stop waits for that.
    var ready = false
    /// Set by ``LocalSandboxRuntime/stop(sessionID:grace:)``: the exit is expected.
    var stopRequested = false
    /// The session's egress proxy (isolated network only); stopped when the process exits.
    var egressProxy: EgressProxy?
}

/// Set once the process has exited, so the grace timer does not SIGKILL a recycled PID.
private final class ExitFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
