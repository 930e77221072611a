#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers stop signals to a sandbox and everything it started.
///
/// Every sandbox process is started as the leader of its own session and process group, so the
/// group never includes the control plane.
///
/// Unisolated, the group is the unit: SIGTERM and SIGKILL go to `-pid`.
///
/// Under bubblewrap the group is not enough. With `--new-session` the program runs in a session
/// of its own inside a new PID namespace, and bwrap's outer process dies on SIGTERM without
/// passing it on. Worse, its inner process (the namespace's init) only arms `--die-with-parent`
/// after setting up, so killing the outer process early can leave the sandbox running, orphaned.
/// So the namespace is the unit: SIGTERM goes to every member except its init (which ignores it
/// and exits once the program has exited, taking the outer bwrap with it); SIGKILL goes to the
/// init, and the kernel kills whatever remains in a namespace whose init dies.
enum ProcessSignals {
    /// `namespace`: the sandbox's PID namespace when isolated (looked up again if unknown).
    static func terminate(pid: Int32, isolated: Bool, namespace: PIDNamespace?) {
        guard isolated, let namespace = namespace ?? PIDNamespace.ofSandbox(launchedAs: pid) else {
            _ = kill(-pid, SIGTERM)
            return
        }
        for member in namespace.members() where member != namespace.initPID {
            _ = kill(member, SIGTERM)
        }
    }

    static func forceKill(pid: Int32, isolated: Bool, namespace: PIDNamespace?) {
        if isolated, let namespace = namespace ?? PIDNamespace.ofSandbox(launchedAs: pid) {
            // Init first: its death takes the whole namespace down, even an orphaned one.
            let members = namespace.members()
            if members.contains(namespace.initPID) {
                _ = kill(namespace.initPID, SIGKILL)
            }
            for member in members where member != namespace.initPID {
                _ = kill(member, SIGKILL)
            }
        }
        _ = kill(-pid, SIGKILL)
    }

    /// After an unisolated program has exited on its own: kills the background jobs it left in
    /// its process group. (Under bubblewrap they died with the namespace.)
    static func killLeftovers(pid: Int32) {
        _ = kill(-pid, SIGKILL)
    }
}
