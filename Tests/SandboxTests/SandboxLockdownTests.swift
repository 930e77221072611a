import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Sandbox

/// What a process sees from inside a real bubblewrap sandbox started by the real runtime: its
/// user, its /etc, its network. Each script writes its findings into the workspace.
@Suite("Sandbox lockdown (bubblewrap)", .enabled(if: bwrapAvailable, "bwrap is not installed"))
struct SandboxLockdownTests {
    static let curl = "/usr/bin/curl"

    @Test("an unprivileged user, no /etc/shadow, generated accounts, and workspace files the host user owns")
    func unprivilegedUserAndMinimalEtc() async throws {
        try await SandboxFixture.with { fixture in
            let info = try await fixture.runtime.startLocal(fixture.shell("user", """
                id -u > uid.txt; id -g >> uid.txt; id -un >> uid.txt
                if cat /etc/shadow >/dev/null 2>&1; then echo READ; else echo DENIED; fi > shadow.txt
                if [ -e /etc/shadow ]; then echo EXISTS; else echo ABSENT; fi >> shadow.txt
                ls -a /etc > etc.txt
                cat /etc/passwd > passwd.txt
                echo written > mine.txt
                git --version > git.txt 2>&1
                if unshare -U true 2>/dev/null; then echo CREATED; else echo REFUSED; fi > userns.txt
                """))
            #expect(try await fixture.waitForExit("user") == 0, "log:\n\(fixture.log(of: "user"))")
            let workspace = info.workspace
            #expect(try fixture.read(workspace.appendingPathComponent("uid.txt")) == "1000\n1000\nnetclode\n")
            #expect(try fixture.read(workspace.appendingPathComponent("shadow.txt")) == "DENIED\nABSENT\n")
            let etc = try fixture.read(workspace.appendingPathComponent("etc.txt")).split(separator: "\n").map(String.init)
            for absent in ["shadow", "gshadow", "ssh", "sudoers", "machine-id", "hostname", "apt"] {
                #expect(!etc.contains(absent), "/etc/\(absent) is visible: \(etc)")
            }
            for present in ["passwd", "group", "hosts", "ld.so.cache"] {
                #expect(etc.contains(present), "/etc/\(present) missing: \(etc)")
            }
            let passwd = try fixture.read(workspace.appendingPathComponent("passwd.txt"))
            #expect(passwd == SandboxUser.passwd(home: info.home.path))
            #expect(try fixture.read(workspace.appendingPathComponent("git.txt")).hasPrefix("git version"))
            if await BubblewrapFeatures.probe(try #require(BubblewrapLocator.find(searchPath: nil))).disableUserNamespaces {
                #expect(try fixture.read(workspace.appendingPathComponent("userns.txt")) == "REFUSED\n", "no nested user namespace (--disable-userns)")
            }
            // Written as the sandbox user, owned by the host user that started bwrap.
            let attributes = try FileManager.default.attributesOfItem(atPath: workspace.appendingPathComponent("mine.txt").path)
            #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == geteuid())
            // The generated files are the runtime's, outside the session directory.
            #expect(!FileManager.default.fileExists(atPath: info.directory.appendingPathComponent("passwd").path))
        }
    }

    @Test("an isolated network reaches neither host loopback services, nor metadata, nor public hosts; only its sockets",
          .enabled(if: FileManager.default.isExecutableFile(atPath: curl), "curl is not installed (.ci/run installs it)"),
          .enabled(if: TestNetAddress.canAdd, "needs root to add a TEST-NET-2 address to lo"))
    func isolatedNetwork() async throws {
        try await TestNetAddress.with { address in
            let loopbackService = try await TinyHTTPServer.start(host: "127.0.0.1", body: "loopback service")
            let publicHost = try await TinyHTTPServer.start(host: address.address, body: "public host")
            try await SandboxFixture.with { fixture in
                let controlPlane = try await TinyHTTPServer.start(
                    unixSocket: fixture.root.url.appendingPathComponent("cp.sock").path, body: "control plane")
                defer { Task { await controlPlane.stop() } }
                let script = """
                    probe() { curl -s --noproxy '*' --max-time 10 -o /dev/null -w '%{http_code}' "$1"; echo " exit=$?"; }
                    probe \(loopbackService.url)/ > loopback.txt
                    probe http://169.254.169.254/latest/meta-data/ > metadata.txt
                    probe \(publicHost.url)/ > public.txt
                    curl -s --max-time 10 --unix-socket "$NETCLODE_CONTROL_PLANE_SOCKET" http://control-plane/ > cp.txt
                    curl -s --max-time 10 --unix-socket "$NETCLODE_EGRESS_SOCKET" -o /dev/null -w '%{http_code}' http://x/ > egress.txt
                    """
                var spec = fixture.shell("net", script)
                spec.network = .isolated
                spec.controlPlaneSocket = controlPlane.host
                let info = try await fixture.runtime.startLocal(spec)
                #expect(try await fixture.waitForExit("net", timeout: .seconds(60)) == 0, "log:\n\(fixture.log(of: "net"))")
                let read = { (name: String) in (try? fixture.read(info.workspace.appendingPathComponent(name))) ?? "(missing)" }
                for name in ["loopback.txt", "metadata.txt", "public.txt"] {
                    #expect(read(name).hasPrefix("000 exit="), "\(name): \(read(name))")
                    #expect(!read(name).contains("exit=0"), "\(name): \(read(name))")
                }
                #expect(loopbackService.requests.isEmpty && publicHost.requests.isEmpty)
                #expect(read("cp.txt") == "control plane")
                // The egress proxy answers (400: curl sent an origin-form request, not a proxy one).
                #expect(read("egress.txt") == "400")
                #expect(!FileManager.default.fileExists(atPath: fixture.runtime.runtimeFiles(of: "net").appendingPathComponent("egress.sock").path),
                        "the egress proxy outlived its sandbox")
            }
            await loopbackService.stop()
            await publicHost.stop()
        }
    }

    @Test("the host network is still the host's")
    func hostNetwork() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.curl) else { return }
        let service = try await TinyHTTPServer.start(host: "127.0.0.1", body: "loopback service")
        try await SandboxFixture.with { fixture in
            let info = try await fixture.runtime.startLocal(fixture.shell("hostnet", "curl -s --noproxy '*' --max-time 10 \(service.url)/ > seen.txt"))
            #expect(try await fixture.waitForExit("hostnet", timeout: .seconds(60)) == 0)
            #expect(try fixture.read(info.workspace.appendingPathComponent("seen.txt")) == "loopback service")
        }
        await service.stop()
    }

    @Test("an isolated network is refused without bubblewrap isolation, and without a control-plane socket")
    func isolatedNetworkFailsClosed() async throws {
        try await SandboxFixture.with(isolation: .none) { fixture in
            var spec = fixture.shell("s1", "true")
            spec.network = .isolated
            spec.controlPlaneSocket = "/tmp/nothing.sock"
            let error = await #expect(throws: SandboxError.self) { try await fixture.runtime.startLocal(spec) }
            #expect(error?.code == .isolatedNetworkUnavailable)
            #expect(error?.description.contains("NETCLODE_SANDBOX=none") == true)
        }
        try await SandboxFixture.with { fixture in
            var spec = fixture.shell("s2", "true")
            spec.network = .isolated
            let error = await #expect(throws: SandboxError.self) { try await fixture.runtime.startLocal(spec) }
            #expect(error?.code == .isolatedNetworkUnavailable)
        }
    }
}
