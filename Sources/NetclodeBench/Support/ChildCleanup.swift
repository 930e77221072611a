import Dispatch
import Foundation

/// Stops the forge and control-plane processes of this run when the benchmark is interrupted
/// (Ctrl-C or SIGTERM), so no server is left listening after it. Normal runs stop them
/// themselves; this only covers the way out that skips that.
enum ChildCleanup {
    private static let pids = Locked<Set<Int32>>([])
    /// Kept alive for the life of the process; written once, by `install()` at start-up.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    private static let interrupted = Locked(false)

    /// Tracks a child; one started after an interruption (the run was still winding down) is
    /// killed at once.
    static func register(_ pid: Int32) {
        pids.withLock { _ = $0.insert(pid) }
        if interrupted.value { kill(pid, SIGKILL) }
    }
    static func unregister(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }

    /// Installs the handlers once: SIGTERM to every registered process (the control plane then
    /// stops its sandboxes), then exit with 130.
    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                interrupted.withLock { $0 = true }
                let running = pids.value
                FileHandle.standardError.write(Data("[bench] interrupted: stopping \(running.count) child processes\n".utf8))
                for pid in running { kill(pid, SIGTERM) }
                // Give the control plane a moment to stop its sandboxes and revoke its tokens;
                // then kill whatever is left, including anything started meanwhile.
                usleep(3_000_000)
                for pid in pids.value { kill(pid, SIGKILL) }
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
