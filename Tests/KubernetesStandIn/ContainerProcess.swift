import Foundation
import Synchronization

/// One container of a stand-in Pod: a local process, started with the container's command and
/// arguments, the Pod's environment and its working directory, its output appended to a log.
///
/// A container's processes are everything that carries its marker variable (the agent hands its
/// environment down to the commands it runs): killing the container kills them all, as the
/// kubelet kills a container's cgroup.
final class ContainerProcess: Sendable {
    static let markerVariable = "NETCLODE_STANDIN_CONTAINER"

    let name: String
    let marker: String
    let pid: Int32
    private let exit: ExitCode
    private let exited: AsyncStream<Int32>

    /// The exit status once known, shared with the termination handler.
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
                      workingDirectory: URL, logFile: URL) throws -> ContainerProcess {
        let marker = UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.merging([markerVariable: marker]) { $1 }
        process.currentDirectoryURL = workingDirectory
        process.standardInput = FileHandle.nullDevice
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        let (exited, continuation) = AsyncStream.makeStream(of: Int32.self)
        let exit = ExitCode()
        process.terminationHandler = { process in
            let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            exit.value.withLock { $0 = code }
            continuation.yield(code)
            continuation.finish()
            try? log.close()
        }
        try process.run()
        return ContainerProcess(name: name, marker: marker, pid: process.processIdentifier, exit: exit, exited: exited)
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
