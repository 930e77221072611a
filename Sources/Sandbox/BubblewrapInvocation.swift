/// The `bwrap` command line that runs one session's process.
///
/// Built as a pure value from paths so it can be unit-tested (``arguments`` is what the tests
/// inspect) and checked by ``ExposureCheck`` before anything runs. The layout:
///
/// - `--die-with-parent`: if the control plane dies, its sandboxes die with it instead of
///   running on unsupervised. (The kernel ties this to the *thread* that spawned bwrap;
///   Subprocess spawns from one dedicated thread that lives as long as the process.)
/// - `--unshare-pid`, `--unshare-ipc`, `--new-session`: the process sees only its own processes,
///   shares no SysV IPC and cannot inject input into the control plane's terminal (TIOCSTI).
/// - `--cap-drop ALL`: when the control plane runs as root, bwrap would otherwise hand the
///   sandbox every capability, and e.g. `CAP_DAC_READ_SEARCH` (`open_by_handle_at`) can reach
///   files outside the bind mounts on the same filesystem.
/// - a fresh `/proc`, a minimal `/dev` and a private `/tmp`;
/// - read-only: `/usr`, and `/bin`, `/sbin`, `/lib`, `/lib64`, `/etc` when present (as symlinks
///   where the host has symlinks, e.g. merged-/usr systems), enough for a shell and git;
/// - read-only: the executable *file* (not its directory, which may sit next to the data
///   directory) and the directories of its shared libraries outside those system directories;
/// - read-write: the session directory, at the same path, so paths mean the same inside and out;
/// - the working directory is the session's workspace.
///
/// The network is shared: the agent must reach the control plane and GitHub.
/// The environment is not on this command line: secrets in argv are readable by every local user
/// through `/proc/<pid>/cmdline`, so the runtime hands `bwrap` the exact environment instead
/// (only the owner can read `/proc/<pid>/environ`) and bwrap passes it through unchanged.
struct BubblewrapInvocation: Sendable, Equatable {
    /// System directories every sandbox gets read-only; `/usr` must exist, the rest are optional.
    static let requiredSystemDirectories = ["/usr"]
    static let optionalSystemDirectories = ["/bin", "/sbin", "/lib", "/lib64", "/etc"]

    var mounts: [SandboxMount]
    var workingDirectory: String
    var executable: String
    var executableArguments: [String]

    /// Everything after `bwrap` on the command line.
    var arguments: [String] {
        var result = [
            "--die-with-parent",
            "--unshare-pid",
            "--unshare-ipc",
            "--new-session",
            "--cap-drop", "ALL",
            "--proc", "/proc",
            "--dev", "/dev",
            "--tmpfs", "/tmp",
        ]
        for mount in mounts {
            result += mount.arguments
        }
        result += ["--chdir", workingDirectory, "--", executable]
        result += executableArguments
        return result
    }

    /// Lays out the sandbox for `executable` run in `sessionDirectory`.
    ///
    /// - Parameters:
    ///   - libraryDirectories: directories of the executable's shared libraries (from
    ///     ``SharedLibraries``); those already visible through a system directory are skipped.
    ///   - symlinkTarget: how to read a symlink on the host (injected for tests).
    static func make(
        executable: String,
        arguments: [String],
        sessionDirectory: String,
        workspace: String,
        libraryDirectories: [String],
        symlinkTarget: (String) -> String? = HostPath.symlinkTarget,
        canonical: (String) -> String = HostPath.canonical
    ) -> BubblewrapInvocation {
        var mounts: [SandboxMount] = []
        var visible: [String] = []

        for directory in requiredSystemDirectories {
            mounts.append(SandboxMount(kind: .readOnly, source: directory, destination: directory))
            visible.append(canonical(directory))
        }
        for directory in optionalSystemDirectories {
            if let target = symlinkTarget(directory) {
                mounts.append(SandboxMount(kind: .symlink, source: target, destination: directory))
            } else {
                mounts.append(SandboxMount(kind: .readOnlyIfPresent, source: directory, destination: directory))
                visible.append(canonical(directory))
            }
        }

        // /etc/resolv.conf often points into /run (systemd-resolved); without its directory the
        // sandbox could not resolve names. The directory, not the file: resolved replaces the
        // file by renaming, which a file bind would not follow.
        let resolvConf = canonical("/etc/resolv.conf")
        let resolvDirectory = parent(of: resolvConf)
        if !isVisible(resolvConf, in: visible), resolvDirectory != "/" {
            mounts.append(SandboxMount(kind: .readOnlyIfPresent, source: resolvDirectory, destination: resolvDirectory))
            visible.append(resolvDirectory)
        }

        var seenLibraries = Set<String>()
        for directory in libraryDirectories {
            let resolved = canonical(directory)
            guard !isVisible(resolved, in: visible), seenLibraries.insert(resolved).inserted else { continue }
            mounts.append(SandboxMount(kind: .readOnly, source: resolved, destination: resolved))
        }

        let resolvedExecutable = canonical(executable)
        if !isVisible(resolvedExecutable, in: visible) {
            mounts.append(SandboxMount(kind: .readOnly, source: resolvedExecutable, destination: executable))
            if resolvedExecutable != executable {
                // `$ORIGIN`-relative lookups and /proc/self/exe see the resolved path.
                mounts.append(SandboxMount(kind: .readOnly, source: resolvedExecutable, destination: resolvedExecutable))
            }
        }

        mounts.append(SandboxMount(kind: .readWrite, source: sessionDirectory, destination: sessionDirectory))

        return BubblewrapInvocation(mounts: mounts, workingDirectory: workspace,
                                    executable: executable, executableArguments: arguments)
    }

    private static func isVisible(_ path: String, in visible: [String]) -> Bool {
        visible.contains { HostPath.isSameOrInside(path, $0) }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
