import Foundation
import Testing

@testable import Sandbox

/// The bwrap command line and the exposure check, as pure values (no process runs here).
@Suite("Bubblewrap invocation")
struct BubblewrapInvocationTests {
    /// A merged-/usr host (as most current distributions): /bin, /sbin, /lib, /lib64 are symlinks.
    static func mergedUsrSymlinks(_ path: String) -> String? {
        ["/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64"][path]
    }

    /// Canonical paths on that host: the symlinked top-level directories resolve into /usr.
    static func identity(_ path: String) -> String {
        for top in ["/bin", "/sbin", "/lib", "/lib64"] where path == top || path.hasPrefix(top + "/") {
            return "/usr" + path
        }
        return path
    }

    static let data = "/srv/netclode/data"
    static let session = "/srv/netclode/data/sessions/s1"

    static let files = BubblewrapInvocation.RuntimeFiles(
        passwd: data + "/run/sessions/s1/passwd", group: data + "/run/sessions/s1/group",
        controlPlaneSocket: data + "/run/sandbox.sock", egressSocket: data + "/run/sessions/s1/egress.sock")

    static func invocation(executable: String = "/srv/netclode/bin/netclode",
                           libraries: [String] = ["/opt/swift/usr/lib/swift/linux", "/lib/x86_64-linux-gnu", "/usr/lib64"],
                           network: SandboxNetwork = .host) -> BubblewrapInvocation {
        BubblewrapInvocation.make(
            executable: executable, arguments: ["agent", "--verbose"],
            sessionDirectory: session, workspace: session + "/workspace",
            libraryDirectories: libraries, runtimeFiles: files, network: network,
            symlinkTarget: mergedUsrSymlinks, canonical: identity)
    }

    /// Index of the option `flag` followed by `values` in `arguments`, if present.
    func find(_ arguments: [String], _ flag: String, _ values: String...) -> Int? {
        let needle = [flag] + values
        guard arguments.count >= needle.count else { return nil }
        return (0...(arguments.count - needle.count)).first { Array(arguments[$0..<($0 + needle.count)]) == needle }
    }

    @Test("namespaces, lifetime and capabilities")
    func namespaceOptions() {
        let arguments = Self.invocation().arguments
        for flag in ["--die-with-parent", "--unshare-pid", "--unshare-ipc", "--new-session"] {
            #expect(arguments.contains(flag), "\(flag) missing")
        }
        #expect(find(arguments, "--cap-drop", "ALL") != nil)
        #expect(!arguments.contains("--disable-userns"), "only when this bwrap has it")
        var withFeature = Self.invocation()
        withFeature.disableUserNamespaces = true
        #expect(withFeature.arguments.contains("--disable-userns"))
        #expect(find(arguments, "--proc", "/proc") != nil)
        #expect(find(arguments, "--dev", "/dev") != nil)
        #expect(find(arguments, "--tmpfs", "/tmp") != nil)
        #expect(!arguments.contains("--unshare-net") && !arguments.contains("--unshare-all"), "the host network must be shared")
        #expect(!arguments.contains("--setenv"), "the environment must not be on the (world-readable) command line")
    }

    @Test("system directories read-only, merged-/usr symlinks kept as symlinks")
    func systemDirectories() {
        let arguments = Self.invocation().arguments
        #expect(find(arguments, "--ro-bind", "/usr", "/usr") != nil)
        #expect(find(arguments, "--symlink", "usr/bin", "/bin") != nil)
        #expect(find(arguments, "--symlink", "usr/lib", "/lib") != nil)
        #expect(find(arguments, "--symlink", "usr/lib64", "/lib64") != nil)
        #expect(!arguments.contains("/"), "the host root must never be bound")

        let plain = BubblewrapInvocation.make(
            executable: "/usr/bin/git", arguments: [], sessionDirectory: Self.session, workspace: Self.session + "/workspace",
            libraryDirectories: [], runtimeFiles: Self.files, network: .host, symlinkTarget: { _ in nil }, canonical: { $0 })
        #expect(find(plain.arguments, "--ro-bind-try", "/lib64", "/lib64") != nil)
        #expect(find(plain.arguments, "--ro-bind-try", "/bin", "/bin") != nil)
    }

    @Test("the executable is bound as a file, not its directory; libraries outside /usr and /lib are bound")
    func executableAndLibraries() {
        let arguments = Self.invocation().arguments
        #expect(find(arguments, "--ro-bind", "/srv/netclode/bin/netclode", "/srv/netclode/bin/netclode") != nil)
        #expect(!arguments.contains("/srv/netclode/bin"))
        #expect(find(arguments, "--ro-bind", "/opt/swift/usr/lib/swift/linux", "/opt/swift/usr/lib/swift/linux") != nil)
        #expect(!arguments.contains("/lib/x86_64-linux-gnu") && !arguments.contains("/usr/lib/x86_64-linux-gnu"))
        #expect(arguments.filter { $0 == "/usr/lib64" }.isEmpty)
        // An executable already under /usr needs no extra bind.
        let git = Self.invocation(executable: "/usr/bin/git", libraries: [])
        #expect(git.mounts.filter { $0.destination == "/usr/bin/git" }.isEmpty)
    }

    @Test("the session directory is the only writable bind; the command runs in the workspace")
    func sessionDirectoryAndCommand() {
        let arguments = Self.invocation().arguments
        #expect(find(arguments, "--bind", Self.session, Self.session) != nil)
        #expect(arguments.filter { $0 == "--bind" }.count == 1)
        #expect(!arguments.contains(Self.data) && !arguments.contains(Self.data + "/sessions"))
        #expect(find(arguments, "--chdir", Self.session + "/workspace") != nil)
        #expect(Array(arguments.suffix(4)) == ["--", "/srv/netclode/bin/netclode", "agent", "--verbose"])
    }

    @Test("the real host layout passes the exposure check for a data directory in /tmp")
    func realHostLayout() throws {
        let files = BubblewrapInvocation.RuntimeFiles(
            passwd: "/tmp/x/data/run/sessions/s1/passwd", group: "/tmp/x/data/run/sessions/s1/group",
            controlPlaneSocket: "/tmp/x/data/run/sandbox.sock", egressSocket: "/tmp/x/data/run/sessions/s1/egress.sock")
        for network in SandboxNetwork.allCases {
            let invocation = BubblewrapInvocation.make(
                executable: "/bin/sh", arguments: [], sessionDirectory: "/tmp/x/data/sessions/s1",
                workspace: "/tmp/x/data/sessions/s1/workspace", libraryDirectories: [], runtimeFiles: files, network: network)
            try ExposureCheck.verify(mounts: invocation.mounts, sessionDirectory: "/tmp/x/data/sessions/s1",
                                     sessionsRoot: "/tmp/x/data/sessions", dataDirectory: "/tmp/x/data",
                                     hiddenPaths: ["/tmp/x/key.pem"], runtimeFiles: files.paths)
        }
    }

    // MARK: Exposure check

    func verify(_ mounts: [SandboxMount], hidden: [String] = [], session: String = session) throws(SandboxError) {
        try ExposureCheck.verify(mounts: mounts, sessionDirectory: session, sessionsRoot: Self.data + "/sessions",
                                 dataDirectory: Self.data, hiddenPaths: hidden, canonical: { $0 })
    }

    func readOnly(_ path: String) -> SandboxMount { SandboxMount(kind: .readOnly, source: path, destination: path) }

    @Test("the generated mounts pass, on either network, with the runtime's own files allowed by exact path")
    func generatedMountsPass() throws {
        for network in SandboxNetwork.allCases {
            try ExposureCheck.verify(
                mounts: Self.invocation(network: network).mounts, sessionDirectory: Self.session, sessionsRoot: Self.data + "/sessions",
                dataDirectory: Self.data, hiddenPaths: ["/srv/netclode/app-key.pem", "/srv/forge"],
                runtimeFiles: Self.files.paths, canonical: { $0 })
        }
        // Without the runtime's say-so, the same files inside the data directory are refused.
        #expect(throws: SandboxError.self) { try verify(Self.invocation(network: .isolated).mounts) }
        // And the directory around them is refused even with it.
        #expect(throws: SandboxError.self) {
            try ExposureCheck.verify(mounts: [readOnly(Self.data + "/run")], sessionDirectory: Self.session, sessionsRoot: Self.data + "/sessions",
                                     dataDirectory: Self.data, hiddenPaths: [], runtimeFiles: Self.files.paths, canonical: { $0 })
        }
        // A writable bind of a runtime file is never allowed.
        #expect(throws: SandboxError.self) {
            try ExposureCheck.verify(mounts: [SandboxMount(kind: .readWrite, source: Self.files.passwd, destination: "/etc/passwd")],
                                     sessionDirectory: Self.session, sessionsRoot: Self.data + "/sessions",
                                     dataDirectory: Self.data, hiddenPaths: [], runtimeFiles: Self.files.paths, canonical: { $0 })
        }
    }

    @Test("a bind containing or equal to the data directory is refused", arguments: ["/srv", "/srv/netclode", data, "/"])
    func refusesDataDirectory(source: String) {
        let error = #expect(throws: SandboxError.self) { try verify([readOnly(source)]) }
        #expect(error?.code == .wouldExposeProtectedPath)
        #expect(error?.description.contains(source) == true)
    }

    @Test("a bind inside the data directory (other than the session's own) is refused",
          arguments: [data + "/netclode.sqlite", data + "/sessions", data + "/sessions/s2", data + "/logs"])
    func refusesInsideDataDirectory(source: String) {
        #expect(throws: SandboxError.self) { try verify([readOnly(source)]) }
    }

    @Test("a bind exposing a hidden path is refused, whether it contains it or lies inside it")
    func refusesHiddenPaths() {
        #expect(throws: SandboxError.self) { try verify([readOnly("/etc")], hidden: ["/etc/netclode/app-key.pem"]) }
        #expect(throws: SandboxError.self) { try verify([readOnly("/srv/forge/repos")], hidden: ["/srv/forge"]) }
        #expect(throws: SandboxError.self) { try verify([readOnly("/srv/forge")], hidden: ["/srv/forge"]) }
        #expect(throws: Never.self) { try verify([readOnly("/etc")], hidden: ["/srv/forge"]) }
    }

    @Test("symlinks expose nothing")
    func symlinksExposeNothing() throws {
        try verify([SandboxMount(kind: .symlink, source: Self.data, destination: "/data")])
    }

    @Test("the session directory must be a direct child of the sessions root")
    func sessionDirectoryPlacement() {
        for session in [Self.data + "/sessions", Self.data, "/srv/elsewhere/s1", Self.data + "/sessions/s1/nested"] {
            #expect(throws: SandboxError.self, "\(session)") {
                try verify([SandboxMount(kind: .readWrite, source: session, destination: session)], session: session)
            }
        }
        // A hidden path inside the session directory is refused too.
        #expect(throws: SandboxError.self) {
            try verify([SandboxMount(kind: .readWrite, source: Self.session, destination: Self.session)], hidden: [Self.session + "/key"])
        }
    }

    @Test("ldd output parsing")
    func parsesLdd() {
        let output = """
            \tlinux-vdso.so.1 (0x00007ffd)
            \tlibswiftCore.so => /opt/swift/usr/lib/swift/linux/libswiftCore.so (0x00007f9b)
            \tlibFoundation.so => /opt/swift/usr/lib/swift/linux/libFoundation.so (0x00007f9c)
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f9d)
            \tlibmissing.so => not found
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f9e)
            """
        #expect(SharedLibraries.parse(lddOutput: output) == ["/opt/swift/usr/lib/swift/linux", "/lib/x86_64-linux-gnu", "/lib64"])
        #expect(SharedLibraries.parse(lddOutput: "\tnot a dynamic executable") == [])
    }

    @Test("canonical paths resolve symlinks and tolerate missing components")
    func canonicalPaths() {
        #expect(HostPath.canonical("/tmp/does-not-exist-\(UUID().uuidString)/a/../b").hasSuffix("/b"))
        #expect(HostPath.isSameOrInside("/a/b", "/a"))
        #expect(HostPath.isSameOrInside("/a", "/a"))
        #expect(!HostPath.isSameOrInside("/ab", "/a"))
        #expect(HostPath.isSameOrInside("/anything", "/"))
    }
}

/// The sandbox user, the minimal /etc and the isolated network on the bwrap command line.
@Suite("Bubblewrap invocation: user, /etc and network")
struct BubblewrapLockdownTests {
    typealias Base = BubblewrapInvocationTests

    func find(_ arguments: [String], _ flag: String, _ values: String...) -> Int? {
        let needle = [flag] + values
        guard arguments.count >= needle.count else { return nil }
        return (0...(arguments.count - needle.count)).first { Array(arguments[$0..<($0 + needle.count)]) == needle }
    }

    @Test("an unprivileged uid and gid in a user namespace of its own, on either network")
    func unprivilegedUser() {
        for network in SandboxNetwork.allCases {
            let arguments = Base.invocation(network: network).arguments
            #expect(arguments.contains("--unshare-user"))
            #expect(find(arguments, "--uid", "1000") != nil)
            #expect(find(arguments, "--gid", "1000") != nil)
            #expect(SandboxUser.uid != 0 && SandboxUser.gid != 0)
            // The options come before the command, never after `--`.
            let separator = arguments.firstIndex(of: "--")!
            #expect(arguments.firstIndex(of: "--unshare-user")! < separator)
        }
    }

    @Test("/etc is never bound whole: only the listed entries, and generated passwd and group")
    func minimalEtc() {
        let invocation = Base.invocation()
        #expect(!invocation.mounts.contains { $0.destination == "/etc" || $0.source == "/etc" }, "\(invocation.arguments)")
        let etcMounts = invocation.mounts.filter { $0.destination.hasPrefix("/etc/") }
        let allowed = Set(SystemFiles.etcEntries + [SystemFiles.passwd, SystemFiles.group])
        for mount in etcMounts {
            #expect(allowed.contains(mount.destination), "unexpected \(mount)")
        }
        for secret in ["/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/ssl/private", "/etc/ssl", "/etc/sudoers", "/etc/pki/tls/private"] {
            #expect(!invocation.arguments.contains(secret), "\(secret) is bound")
        }
        #expect(find(invocation.arguments, "--ro-bind", Base.files.passwd, "/etc/passwd") != nil)
        #expect(find(invocation.arguments, "--ro-bind", Base.files.group, "/etc/group") != nil)
        #expect(find(invocation.arguments, "--ro-bind-try", "/etc/hosts", "/etc/hosts") != nil)
        #expect(find(invocation.arguments, "--ro-bind-try", "/etc/ssl/certs", "/etc/ssl/certs") != nil)
        #expect(find(invocation.arguments, "--ro-bind-try", "/etc/alternatives", "/etc/alternatives") != nil)
    }

    @Test("a symlinked /etc entry stays a symlink; a resolv.conf into /run brings its directory")
    func symlinkedEtcEntries() {
        let links = ["/etc/resolv.conf": "../run/systemd/resolve/stub-resolv.conf", "/etc/localtime": "/usr/share/zoneinfo/Etc/UTC"]
        let invocation = BubblewrapInvocation.make(
            executable: "/usr/bin/git", arguments: [], sessionDirectory: Base.session, workspace: Base.session + "/workspace",
            libraryDirectories: [], runtimeFiles: Base.files, network: .host,
            symlinkTarget: { links[$0] }, canonical: { $0 == "/etc/resolv.conf" ? "/run/systemd/resolve/stub-resolv.conf" : $0 })
        let arguments = invocation.arguments
        #expect(find(arguments, "--symlink", "../run/systemd/resolve/stub-resolv.conf", "/etc/resolv.conf") != nil)
        #expect(find(arguments, "--symlink", "/usr/share/zoneinfo/Etc/UTC", "/etc/localtime") != nil)
        #expect(find(arguments, "--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve") != nil)
        // A plain resolv.conf brings no /run directory.
        #expect(!Base.invocation().arguments.contains("/run/systemd/resolve"))
    }

    @Test("the generated accounts name the sandbox user and nothing of the host's")
    func accounts() {
        let passwd = SandboxUser.passwd(home: "/srv/s1/home")
        #expect(passwd.contains("netclode:x:1000:1000:Netclode sandbox:/srv/s1/home:/bin/sh\n"))
        #expect(passwd.split(separator: "\n").map { $0.split(separator: ":")[0] } == ["root", "netclode", "nobody"])
        #expect(!passwd.contains("$"), "no password hashes")
        #expect(SandboxUser.group().contains("netclode:x:1000:\n"))
    }

    @Test("an isolated network unshares it and binds the two sockets at fixed paths; the host network binds none")
    func isolatedNetwork() {
        let isolated = Base.invocation(network: .isolated).arguments
        #expect(isolated.contains("--unshare-net"))
        #expect(find(isolated, "--ro-bind", Base.files.controlPlaneSocket!, SandboxSocket.controlPlane) != nil)
        #expect(find(isolated, "--ro-bind", Base.files.egressSocket!, SandboxSocket.egress) != nil)

        let host = Base.invocation(network: .host).arguments
        #expect(!host.contains("--unshare-net"))
        #expect(!host.contains(SandboxSocket.controlPlane) && !host.contains(SandboxSocket.egress))
    }
}
