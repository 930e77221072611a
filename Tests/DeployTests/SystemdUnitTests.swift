import Foundation
import Testing
import TestSupport

/// deploy/systemd/netclode.service: valid for systemd, with the sandboxing directives it promises,
/// and none of those that would stop bubblewrap.
@Suite("deploy/systemd")
struct SystemdUnitTests {
    /// The unit's lines that are settings (not comments), as `Key=value`.
    static func settings() throws -> [String] {
        try String(contentsOf: DeployFiles.unit, encoding: .utf8).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix("[") }
    }

    /// `systemd-analyze verify` on a copy of the unit whose ExecStart names the built binary (the
    /// real path, /usr/local/bin/netclode, does not exist on a test machine). Returns what it said.
    static func verify(_ text: String, in directory: TemporaryDirectory) async throws -> ProcessResult {
        let binary = try ForgeProcess.netclodeBinary().path
        let copy = directory.url.appendingPathComponent("netclode.service")
        try text.replacingOccurrences(of: "ExecStart=/usr/local/bin/netclode ", with: "ExecStart=\(binary) ")
            .write(to: copy, atomically: true, encoding: .utf8)
        return try await Command.run(try DeployFiles.tool("systemd-analyze", package: "systemd"), ["verify", copy.path])
    }

    @Test("systemd-analyze verify accepts the unit without a complaint; a misspelt directive is reported")
    func verifies() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-unit") { directory in
            let text = try String(contentsOf: DeployFiles.unit, encoding: .utf8)
            #expect(text.contains("ExecStart=/usr/local/bin/netclode serve\n"))
            let result = try await Self.verify(text, in: directory)
            #expect(result.succeeded, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "no warning: \(result.stderr)")

            let misspelt = try await Self.verify(text.replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSytem=strict"), in: directory)
            #expect(misspelt.stderr.contains("Unknown key") && misspelt.stderr.contains("ProtectSytem"), "the check notices: \(misspelt.stderr)")
        }
    }

    @Test("the unit sandboxes the service, reads /etc/netclode/netclode.env, and sets nothing that breaks bubblewrap")
    func directives() throws {
        let settings = try Self.settings()
        for expected in ["User=netclode", "EnvironmentFile=/etc/netclode/netclode.env", "StateDirectory=netclode", "Restart=on-failure",
                         "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
                         "KillMode=mixed", "WorkingDirectory=/var/lib/netclode", "Environment=NETCLODE_DATA_DIR=/var/lib/netclode"] {
            #expect(settings.contains(expected), "\(expected)")
        }
        let families = try #require(settings.first { $0.hasPrefix("RestrictAddressFamilies=") })
        #expect(families.contains("AF_NETLINK"), "bwrap sets up an isolated sandbox's loopback over netlink")
        for forbidden in ["ProtectKernelTunables", "ProtectKernelLogs", "ProtectProc", "ProcSubset", "RestrictNamespaces", "PrivateUsers",
                          "SystemCallFilter", "MemoryDenyWriteExecute"] {
            #expect(!settings.contains { $0.hasPrefix(forbidden + "=") }, "\(forbidden)= breaks bubblewrap or the sandboxes' programs")
        }
    }

    @Test("bubblewrap still starts a sandbox under the unit's mount and privilege restrictions (private /dev, read-only / and cgroups, private /tmp, hidden /home, no new privileges, no capabilities)")
    func bubblewrapUnderTheUnitsRestrictions() async throws {
        // What PrivateDevices= (a /dev of the basic devices only), ProtectControlGroups=,
        // ProtectSystem=strict, PrivateTmp=, ProtectHome=, NoNewPrivileges= and an empty
        // CapabilityBoundingSet= do to the service, applied with unshare and setpriv (no systemd
        // runs as PID 1 on a test machine), around `netclode doctor`'s bubblewrap check.
        let isRoot = geteuid() == 0
        let restrict = """
            d=$(mktemp -d) && mount -t tmpfs -o mode=755,nosuid tmpfs "$d" \
            && for n in null zero full random urandom tty; do touch "$d/$n" && mount --bind "/dev/$n" "$d/$n"; done \
            && mkdir "$d/pts" "$d/shm" && mount --move "$d" /dev \
            && mount --bind /sys/fs/cgroup /sys/fs/cgroup && mount -o remount,bind,ro /sys/fs/cgroup \
            && mount -o remount,bind,ro / && mount -t tmpfs -o mode=1777 tmpfs /tmp && mount -t tmpfs tmpfs /home && mount -t tmpfs tmpfs /root \
            && cd / && exec setpriv \(isRoot ? "--reuid 4242 --regid 4242 --clear-groups " : "")--no-new-privs --bounding-set -all --inh-caps -all "$@"
            """
        let binary = try ForgeProcess.netclodeBinary().path
        var arguments = ["--mount", "--propagation", "private"] + (isRoot ? [] : ["--map-root-user"])
        arguments += ["/bin/sh", "-c", restrict, "sh", binary, "doctor"]
        // Blank counts as unset: whatever the developer's shell says, the default runtime and isolation.
        let environment = ["NETCLODE_API_TOKEN": "unit-test-api-token-0123456789", "NETCLODE_DATA_DIR": "/tmp/netclode-data", "HOME": "/tmp",
                           "NETCLODE_RUNTIME": "", "NETCLODE_SANDBOX": "", "NETCLODE_DATABASE_URL": "", "NETCLODE_DATABASE": ""]
        let result = try await Command.run("/usr/bin/unshare", arguments, environment: environment, in: URL(fileURLWithPath: "/"))
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("✓ sandbox runtime local: ") || $0.hasPrefix("✗ sandbox runtime local: ") }
        #expect(line?.hasPrefix("✓") == true, "\(result.stdout)\(result.stderr)")
    }
}
