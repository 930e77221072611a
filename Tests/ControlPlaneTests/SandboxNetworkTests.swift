import ConnectRPC
import Foundation
import NetclodeProto
import Testing
import TestSupport

/// Sessions on an isolated network, end to end: a real `netclode serve`, real bwrap sandboxes,
/// the real agent dialling over the sandbox listener and forwarding the egress proxy, and
/// servers this test runs itself (one on a TEST-NET-2 address of this machine as the "public
/// host"; never a real outside address).
@Suite("Sandbox network", .serialized)
struct SandboxNetworkTests {
    static var canRun: Bool {
        TestNetAddress.canAdd && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
    }

    @Test("an isolated session attaches, runs commands as an unprivileged user, and gets out only through the egress proxy",
          .enabled(if: canRun, "needs root (a TEST-NET-2 address on lo), bwrap and curl"))
    func isolatedSession() async throws {
        try await TestNetAddress.with { address in
            let publicHost = try await TinyHTTPServer.start(host: address.address, body: "public host")
            let loopbackService = try await TinyHTTPServer.start(host: "127.0.0.1", body: "loopback service")
            defer { Task { await publicHost.stop(); await loopbackService.stop() } }
            // 127.0.0.1 is allowed by name, to show the allow list cannot widen the address rules.
            let allow = "\(address.address),*.allowed.example,127.0.0.1"
            let environment = ["NETCLODE_SANDBOX_NETWORK": "isolated", "NETCLODE_EGRESS_ALLOW": allow]
            try await SessionsFixture.with(environment: environment) { fixture in
                let session = try await fixture.create(repos: [], name: "isolated")
                try await fixture.waitFor(session.id, status: "ready", timeout: .seconds(120))
                let api = fixture.controlPlane.baseURL.absoluteString

                func run(_ script: String) async throws -> Netclode_V1_ExecResponse {
                    try await fixture.exec(session.id, ["sh", "-c", script])
                }
                #expect(try await run("id -u").stdout == "1000\n")
                let shadow = try await run("cat /etc/shadow")
                #expect(shadow.exitCode != 0 && shadow.stdout.isEmpty)
                #expect(try await run("echo \"$HTTP_PROXY $HTTPS_PROXY $NO_PROXY\"").stdout.hasPrefix("http://127.0.0.1:"))

                // Direct connections: the network namespace has nothing but its own loopback.
                let probe = "curl -s --noproxy '*' --max-time 10 -o /dev/null -w '%{http_code}'"
                for target in ["\(api)/healthz", "\(loopbackService.url)/", "http://169.254.169.254/latest/meta-data/", "\(publicHost.url)/"] {
                    let result = try await run("\(probe) \(target)")
                    #expect(result.stdout == "000" && result.exitCode != 0, "\(target) reached directly: \(result.stdout) \(result.stderr)")
                }
                #expect(loopbackService.requests.isEmpty)

                // Through the egress proxy (HTTP_PROXY as set for every command): plain and CONNECT.
                #expect(try await run("curl -sS --max-time 30 \(publicHost.url)/plain").stdout == "public host")
                #expect(try await run("curl -sS --max-time 30 --proxytunnel \(publicHost.url)/tunnel").stdout == "public host")
                #expect(publicHost.requests.count == 2)

                // Refused by the proxy: a host outside the allow list, and loopback (the API port).
                let refusedCode = "curl -s --max-time 30 -o /dev/null -w '%{http_code}' --noproxy '' -x \"$HTTP_PROXY\""
                #expect(try await run("\(refusedCode) http://elsewhere.example/").stdout == "403")
                let apiPort = fixture.controlPlane.baseURL.port!
                let loopback = try await run("curl -s --max-time 30 --noproxy '' -x \"$HTTP_PROXY\" http://127.0.0.1:\(apiPort)/healthz")
                #expect(loopback.stdout.contains("refused 127.0.0.1:\(apiPort)") && loopback.stdout.contains("loopback"), "\(loopback.stdout)")

                let items = try await fixture.watch(session.id) { items in
                    items.filter { $0.event.kind == "egress" }.count >= 2
                }
                let egress = items.filter { $0.event.kind == "egress" }.map(\.event)
                #expect(egress.contains { $0.stage == "refused" && $0.message == "refused elsewhere.example:80: not in NETCLODE_EGRESS_ALLOW (\(allow))" },
                        "\(egress.map(\.message))")
                #expect(egress.contains { $0.message.hasPrefix("refused 127.0.0.1:\(apiPort): 127.0.0.1 is a loopback address") }, "\(egress.map(\.message))")
            }
        }
    }

    @Test("on the host network a session still clones and pushes as before, as the unprivileged user",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "needs bwrap"))
    func hostNetworkClones() async throws {
        try await SessionsFixture.with(environment: ["NETCLODE_SANDBOX_NETWORK": "host"]) { fixture in
            let session = try await fixture.create(repos: ["demo/hello"], access: "write", name: "hostnet")
            try await fixture.waitFor(session.id, status: "ready", timeout: .seconds(120))
            #expect(try await fixture.exec(session.id, ["id", "-u"]).stdout == "1000\n")
            let push = try await fixture.exec(session.id, ["sh", "-c", "echo more >> README.md && git commit -qam more && git push -q origin HEAD:main && git log -1 --format=%s"])
            #expect(push.exitCode == 0, "\(push.stderr)")
            #expect(push.stdout == "more\n")
        }
    }

    @Test("NETCLODE_SANDBOX=none is announced among the ready lines")
    func unisolatedIsAnnounced() async throws {
        let controlPlane = try await ControlPlaneProcess.start(environment: ["NETCLODE_SANDBOX": "none"])
        defer { Task { await controlPlane.remove() } }
        let lines = controlPlane.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("Netclode control plane listening on") == true)
        #expect(lines.contains { $0.hasPrefix("WARNING: sandboxes are NOT isolated (NETCLODE_SANDBOX=none)") }, "\(lines)")
        await controlPlane.remove()
    }

    @Test("unusable network settings stop the server with the reason",
          arguments: [
              (["NETCLODE_SANDBOX_NETWORK": "airgap"], "NETCLODE_SANDBOX_NETWORK=\"airgap\" is not a sandbox network; choose one of: isolated, host"),
              (["NETCLODE_SANDBOX": "none", "NETCLODE_SANDBOX_NETWORK": "isolated"], "NETCLODE_SANDBOX_NETWORK=isolated needs bubblewrap"),
              (["NETCLODE_EGRESS_ALLOW": "https://github.com"], "NETCLODE_EGRESS_ALLOW entry \"https://github.com\" is not a host glob"),
          ])
    func badSettings(environment: [String: String], message: String) async throws {
        do {
            let controlPlane = try await ControlPlaneProcess.start(environment: environment)
            await controlPlane.remove()
            Issue.record("the server started with \(environment)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
