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

    static func invocation(executable: String = "/srv/netclode/bin/netclode",
                           libraries: [String] = ["/opt/swift/usr/lib/swift/linux", "/lib/x86_64-linux-gnu", "/usr/lib64"]) -> BubblewrapInvocation {
        BubblewrapInvocation.make(
            executable: executable, arguments: ["agent", "--verbose"],
            sessionDirectory: session, workspace: session + "/workspace",
            libraryDirectories: libraries, symlinkTarget: mergedUsrSymlinks, canonical: identity)
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
        #expect(find(arguments, "--proc", "/proc") != nil)
        #expect(find(arguments, "--dev", "/dev") != nil)
        #expect(find(arguments, "--tmpfs", "/tmp") != nil)
        #expect(!arguments.contains("--unshare-net") && !arguments.contains("--unshare-all"), "the network must be shared")
        #expect(!arguments.contains("--setenv"), "the environment must not be on the (world-readable) command line")
    }

    @Test("system directories read-only, merged-/usr symlinks kept as symlinks")
    func systemDirectories() {
        let arguments = Self.invocation().arguments
        #expect(find(arguments, "--ro-bind", "/usr", "/usr") != nil)
        #expect(find(arguments, "--symlink", "usr/bin", "/bin") != nil)
        #expect(find(arguments, "--symlink", "usr/lib", "/lib") != nil)
        #expect(find(arguments, "--symlink", "usr/lib64", "/lib64") != nil)
        #expect(find(arguments, "--ro-bind-try", "/etc", "/etc") != nil)
        #expect(!arguments.contains("/"), "the host root must never be bound")

        let plain = BubblewrapInvocation.make(
            executable: "/usr/bin/git", arguments: [], sessionDirectory: Self.session, workspace: Self.session + "/workspace",
            libraryDirectories: [], symlinkTarget: { _ in nil }, canonical: { $0 })
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
        let invocation = BubblewrapInvocation.make(
            executable: "/bin/sh", arguments: [], sessionDirectory: "/tmp/x/data/sessions/s1",
            workspace: "/tmp/x/data/sessions/s1/workspace", libraryDirectories: [])
        try ExposureCheck.verify(mounts: invocation.mounts, sessionDirectory: "/tmp/x/data/sessions/s1",
                                 sessionsRoot: "/tmp/x/data/sessions", dataDirectory: "/tmp/x/data",
                                 hiddenPaths: ["/tmp/x/key.pem"])
    }

    // MARK: Exposure check

    func verify(_ mounts: [SandboxMount], hidden: [String] = [], session: String = session) throws(SandboxError) {
        try ExposureCheck.verify(mounts: mounts, sessionDirectory: session, sessionsRoot: Self.data + "/sessions",
                                 dataDirectory: Self.data, hiddenPaths: hidden, canonical: { $0 })
    }

    func readOnly(_ path: String) -> SandboxMount { SandboxMount(kind: .readOnly, source: path, destination: path) }

    @Test("the generated mounts pass")
    func generatedMountsPass() throws {
        try verify(Self.invocation().mounts, hidden: ["/srv/netclode/app-key.pem", "/srv/forge"])
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
