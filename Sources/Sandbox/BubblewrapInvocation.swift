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
/// - `--unshare-user --uid 1000 --gid 1000`: the process runs as the unprivileged
///   ``SandboxUser`` in its own user namespace, even when the control plane runs as root.
/// - `--disable-userns` when this bwrap has it (0.8+): nothing in the sandbox can make a user
///   namespace of its own, which would hand it every capability inside and the kernel code that
///   only root could reach (a common way out of sandboxes).
/// - `--cap-drop ALL`: when the control plane runs as root, bwrap would otherwise hand the
///   sandbox every capability, and e.g. `CAP_DAC_READ_SEARCH` (`open_by_handle_at`) can reach
///   files outside the bind mounts on the same filesystem.
/// - `--unshare-net` on an isolated network (``SandboxNetwork/isolated``): loopback only; the
///   control plane's sandbox listener and the session's egress proxy are bound in as Unix sockets
///   at ``SandboxSocket/controlPlane`` and ``SandboxSocket/egress``.
/// - a fresh `/proc`, a minimal `/dev` and a private `/tmp`;
/// - read-only: `/usr`, and `/bin`, `/sbin`, `/lib`, `/lib64` when present (as symlinks
///   where the host has symlinks, e.g. merged-/usr systems), enough for a shell and git;
/// - read-only: the few `/etc` entries of ``SystemFiles``, never the whole directory, and a
///   generated `/etc/passwd` and `/etc/group` naming the sandbox user (``RuntimeFiles``);
/// - read-only: the executable *file* (not its directory, which may sit next to the data
///   directory) and the directories of its shared libraries outside those system directories;
/// - read-write: the session directory, at the same path, so paths mean the same inside and out;
/// - the working directory is the session's workspace.
///
/// On the host network (``SandboxNetwork/host``) the network is shared, as it always was.
/// The environment is not on this command line: secrets in argv are readable by every local user
/// through `/proc/<pid>/cmdline`, so the runtime hands `bwrap` the exact environment instead
/// (only the owner can read `/proc/<pid>/environ`) and bwrap passes it through unchanged.
struct BubblewrapInvocation: Sendable, Equatable {
    /// System directories every sandbox gets read-only; `/usr` must exist, the rest are optional.
    static let requiredSystemDirectories = ["/usr"]
    static let optionalSystemDirectories = ["/bin", "/sbin", "/lib", "/lib64"]

    /// Host files the runtime made for this sandbox (outside the session directory, so the
    /// sandbox cannot change them), bound read-only.
    struct RuntimeFiles: Sendable, Equatable {
        /// Generated `/etc/passwd` and `/etc/group` (see ``SandboxUser``).
        var passwd: String
        var group: String
        /// On an isolated network: the control plane's sandbox listener and the session's egress
        /// proxy, bound at ``SandboxSocket/controlPlane`` and ``SandboxSocket/egress``.
        var controlPlaneSocket: String?
        var egressSocket: String?

        /// Every host path among them, for ``ExposureCheck``.
        var paths: [String] { [passwd, group] + [controlPlaneSocket, egressSocket].compactMap { $0 } }
    }

    var mounts: [SandboxMount]
    var workingDirectory: String
    var executable: String
    var executableArguments: [String]
    var network: SandboxNetwork
    /// Whether to pass `--disable-userns` (see ``BubblewrapFeatures``).
    var disableUserNamespaces = false

    /// Everything after `bwrap` on the command line.
    var arguments: [String] {
        var result = [
            "--die-with-parent",
            "--unshare-user", "--uid", String(SandboxUser.uid), "--gid", String(SandboxUser.gid),
            "--unshare-pid",
            "--unshare-ipc",
        ]
        if disableUserNamespaces {
            result.append("--disable-userns")
        }
        if network == .isolated {
            result.append("--unshare-net")
        }
        result += [
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
        runtimeFiles: RuntimeFiles,
        network: SandboxNetwork,
        disableUserNamespaces: Bool = false,
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

        for entry in SystemFiles.etcEntries {
            if let target = symlinkTarget(entry) {
                mounts.append(SandboxMount(kind: .symlink, source: target, destination: entry))
            } else {
                mounts.append(SandboxMount(kind: .readOnlyIfPresent, source: entry, destination: entry))
            }
        }
        mounts.append(SandboxMount(kind: .readOnly, source: runtimeFiles.passwd, destination: SystemFiles.passwd))
        mounts.append(SandboxMount(kind: .readOnly, source: runtimeFiles.group, destination: SystemFiles.group))

        // /etc/resolv.conf often points into /run (systemd-resolved); without its directory the
        // sandbox could not resolve names. The directory, not the file: resolved replaces the
        // file by renaming, which a file bind would not follow. (On an isolated network the
        // sandbox has no DNS server to ask; the egress proxy resolves names.)
        let resolvConf = canonical("/etc/resolv.conf")
        let resolvDirectory = parent(of: resolvConf)
        if resolvConf != "/etc/resolv.conf", !isVisible(resolvConf, in: visible), resolvDirectory != "/", resolvDirectory != "/etc" {
            mounts.append(SandboxMount(kind: .readOnlyIfPresent, source: resolvDirectory, destination: resolvDirectory))
            visible.append(resolvDirectory)
        }

        if network == .isolated {
            if let socket = runtimeFiles.controlPlaneSocket {
                mounts.append(SandboxMount(kind: .readOnly, source: socket, destination: SandboxSocket.controlPlane))
            }
            if let socket = runtimeFiles.egressSocket {
                mounts.append(SandboxMount(kind: .readOnly, source: socket, destination: SandboxSocket.egress))
            }
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
                                    executable: executable, executableArguments: arguments, network: network,
                                    disableUserNamespaces: disableUserNamespaces)
    }

    private static func isVisible(_ path: String, in visible: [String]) -> Bool {
        visible.contains { HostPath.isSameOrInside(path, $0) }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
