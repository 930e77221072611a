import Sandbox

/// The local runtime: a sandbox started the way a session's is (``BubblewrapSelfTest``), not just
/// `bwrap` found on `PATH`.
struct LocalRuntimeCheck: DoctorCheck {
    static let subject = "sandbox runtime local"
    let isolation: IsolationMode

    func run() async -> [DoctorFinding] {
        if isolation == .none {
            return [.failed(Self.subject, "sandboxes are NOT isolated (NETCLODE_SANDBOX=none): they can read the data directory, the database and the App private key",
                            fix: "install bubblewrap (apt-get install bubblewrap) and unset NETCLODE_SANDBOX; keep none for development only")]
        }
        switch await BubblewrapSelfTest.run() {
        case .works(let bwrap, let version):
            return [.passed(Self.subject, "\(version) at \(bwrap) ran a test sandbox (uid \(SandboxUser.uid), own user, pid, ipc and network namespaces, no capabilities)")]
        case .notInstalled(let searchPath):
            return [.failed(Self.subject, "bubblewrap (bwrap) is not installed (looked in \(searchPath))",
                            fix: "apt-get install bubblewrap (or dnf install bubblewrap); sessions do not start without it")]
        case .failed(let bwrap, let reason):
            return [.failed(Self.subject, "\(bwrap) cannot start a sandbox here: \(reason)", fix: Self.namespacesFix)]
        }
    }

    /// What usually stops bwrap: no unprivileged user namespaces, or a service manager or
    /// container that forbids what bwrap does.
    static let namespacesFix = "bubblewrap needs unprivileged user namespaces: `sysctl user.max_user_namespaces` must be above 0 "
        + "(and on Debian/Ubuntu kernels `kernel.unprivileged_userns_clone=1`; Ubuntu 24.04+: an AppArmor profile allowing userns for bwrap); "
        + "under systemd do not set RestrictNamespaces=, PrivateUsers=, ProtectKernelTunables=, ProtectKernelLogs=, ProtectProc= or a "
        + "SystemCallFilter= without @mount (docs/deploy.md, deploy/systemd/netclode.service); in a container use NETCLODE_RUNTIME=kubernetes"
}
