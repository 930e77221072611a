import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One container of a stand-in Pod: a local process, started with the container's command and
/// arguments, the Pod's environment and its working directory, its output appended to a log.
///
/// Started through swift-subprocess, which gives the child an empty signal mask and default
/// handlers, as a container runtime does (the test process's threads block most signals, which
/// a child started with Foundation's `Process` inherits: SIGTERM would then never end it). A
/// container's processes are everything that carries its marker variable (the agent hands its
/// environment down to the commands it runs): killing the container kills them all, as the
/// kubelet kills a container's cgroup.
final class ContainerProcess: Sendable {
    static let markerVariable = "NETCLODE_STANDIN_CONTAINER"

    let name: String
    let marker: String
    let pid: Int32
    private let exit: ExitCode
    private let exited: AsyncStream<Int32>

    /// The exit status once known, shared with the task that waits for the process.
    private final class ExitCode: Sendable {
        let value = Mutex<Int32?>(nil)
    }

    private init(name: String, marker: String, pid: Int32, exit: ExitCode, exited: AsyncStream<Int32>) {
        self.name = name
        self.marker = marker
        self.pid = pid
        self.exit = exit
        self.exited = exited
    }

    static func start(name: String, executable: String, arguments: [String], environment: [String: String],
                      workingDirectory: URL, logFile: URL) async throws -> ContainerProcess {
        let marker = UUID().uuidString
        var variables: [Environment.Key: String] = [:]
        for (key, value) in environment.merging([markerVariable: marker], uniquingKeysWith: { $1 }) {
            if let key = Environment.Key(rawValue: key) { variables[key] = value }
        }
        var options = PlatformOptions()
        options.createSession = true  // no controlling terminal, its own process group
        let configuration = Configuration(executable: .path(FilePath(executable)), arguments: Arguments(arguments),
                                          environment: .custom(variables), workingDirectory: FilePath(workingDirectory.path),
                                          platformOptions: options)
        let log = try FileDescriptor.open(FilePath(logFile.path), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite])
        let exit = ExitCode()
        let (exited, exitContinuation) = AsyncStream.makeStream(of: Int32.self)
        let (started, startedContinuation) = AsyncThrowingStream.makeStream(of: Int32.self)
        Task.detached {
            var code: Int32 = 127
            do {
                let result = try await Subprocess.run(configuration, input: .none, output: .fileDescriptor(log, closeAfterSpawningProcess: true),
                                                      error: .combinedWithOutput) { execution in
                    startedContinuation.yield(execution.processIdentifier.value)
                    startedContinuation.finish()
                }
                switch result.terminationStatus {
                case .exited(let status): code = Int32(status)
                case .signaled(let signal): code = 128 + Int32(signal)
                }
            } catch {
                startedContinuation.finish(throwing: error)
            }
            exit.value.withLock { $0 = code }
            exitContinuation.yield(code)
            exitContinuation.finish()
        }
        for try await pid in started {
            return ContainerProcess(name: name, marker: marker, pid: pid, exit: exit, exited: exited)
        }
        throw StandInError("container \(name) (\(executable)) did not start")
    }

    var exitCode: Int32? { exit.value.withLock { $0 } }

    /// Waits for the process to exit; its exit status (128 + signal when killed).
    func wait() async -> Int32 {
        if let code = exitCode { return code }
        for await code in exited { return code }
        return exitCode ?? -1
    }

    /// SIGTERM to every process of the container.
    func terminate() { signalAll(SIGTERM) }

    /// SIGKILL to every process of the container.
    func kill() { signalAll(SIGKILL) }

    private func signalAll(_ signal: Int32) {
        if exitCode == nil { _ = Foundation.kill(pid, signal) }
        for other in Self.processes(carrying: "\(Self.markerVariable)=\(marker)") where other != pid {
            _ = Foundation.kill(other, signal)
        }
    }

    /// Processes of this user whose environment holds `entry`.
    static func processes(carrying entry: String) -> [Int32] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        let needle = Data(entry.utf8)
        return pids.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0).contains { Data($0) == needle }
        }
    }
}
