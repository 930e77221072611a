import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps the commands the agent runs out of the agent's memory.
///
/// Commands run as the agent's user, in its PID namespace. While a process is *dumpable*, any
/// process of the same user may read its `/proc/<pid>/environ` and `/proc/<pid>/mem` (and ptrace
/// it), which would hand a command the agent's channel secret and the installation tokens it
/// holds. `prctl(PR_SET_DUMPABLE, 0)` restricts that to holders of `CAP_SYS_PTRACE`; under
/// bubblewrap every capability is dropped, so no command has it. A command's own dumpable flag
/// is reset by `execve`, so this protects the agent alone. (With `NETCLODE_SANDBOX=none` and
/// a control plane running as root, commands keep root's capabilities and this does not hold.)
public enum ProcessHardening {
    /// `PR_SET_DUMPABLE` / `PR_GET_DUMPABLE` of `<linux/prctl.h>`.
    private static let setDumpable: Int32 = 4
    private static let getDumpable: Int32 = 3

    /// Marks this process non-dumpable and checks that it took. Linux only; elsewhere a no-op.
    public static func forbidInspection() throws(AgentError) {
        #if os(Linux)
        // `prctl` is variadic in C, which Swift does not import; called through its address with
        // the fixed five-argument form the kernel takes (extra arguments are ignored).
        guard let symbol = dlsym(nil, "prctl") else { // nil: RTLD_DEFAULT
            throw .hardening("prctl is not available")
        }
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        guard prctl(setDumpable, 0, 0, 0, 0) == 0 else {
            throw .hardening("prctl(PR_SET_DUMPABLE, 0) failed: \(String(cString: strerror(errno)))")
        }
        guard prctl(getDumpable, 0, 0, 0, 0) == 0 else {
            throw .hardening("the process is still dumpable after prctl(PR_SET_DUMPABLE, 0)")
        }
        #endif
    }
}
