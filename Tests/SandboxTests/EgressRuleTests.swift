import Foundation
import Testing

@testable import Sandbox

/// The egress proxy's rules as pure values: address classes, allow-list globs, settings.
@Suite("Egress rules")
struct EgressRuleTests {
    @Test("always-refused address classes, IPv4 and IPv6",
          arguments: [
              ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
              ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
              ("fc00::1", "private"), ("fd12:3456::1", "private"),
              ("169.254.169.254", "link-local"), ("169.254.0.1", "link-local"), ("fe80::1", "link-local"), ("febf::1", "link-local"),
              ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("0.1.2.3", "unspecified"),
              ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
              ("100.64.0.1", "CGNAT"), ("100.127.255.254", "CGNAT"), ("255.255.255.255", "reserved"),
          ])
    func refusedClasses(address: String, name: String) throws {
        let ip = try #require(IPAddress(address))
        let range = try #require(AddressRange.refusedRange(of: ip), "\(address) was not refused")
        #expect(range.name.contains(name), "\(address) refused as \(range.name)")
    }

    @Test("IPv4 embedded in IPv6 is judged by its IPv4 address",
          arguments: ["::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe",
                      "2002:c0a8:0101::1", "::127.0.0.1", "[::ffff:192.168.0.1]"])
    func embeddedIPv4(address: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(AddressRange.refusedRange(of: ip) != nil, "\(address) was allowed")
    }

    @Test("public addresses pass", arguments: ["198.51.100.7", "203.0.113.9", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1",
                                                 "2606:4700::1111", "::ffff:8.8.8.8", "169.253.255.255"])
    func publicAddresses(address: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(AddressRange.refusedRange(of: ip) == nil, "\(address) refused")
    }

    @Test("host names and garbage are not addresses")
    func notAddresses() {
        for text in ["github.com", "", "1.2.3", "1.2.3.4.5", "::g", "256.1.1.1", "[1.2.3.4]x"] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
        #expect(IPAddress("fe80::1%eth0") == IPAddress("fe80::1"))
    }

    @Test("allow-list globs")
    func globs() throws {
        let list = try EgressAllowList(setting: " *.github.com, PyPI.org ,198.51.100.7,files.?ythonhosted.org")
        #expect(list.allows("api.github.com"))
        #expect(list.allows("a.b.github.com"))
        #expect(list.allows("API.GitHub.com"))
        #expect(list.allows("pypi.org"))
        #expect(list.allows("pypi.org."))
        #expect(list.allows("198.51.100.7"))
        #expect(list.allows("files.pythonhosted.org"))
        #expect(!list.allows("github.com"))
        #expect(!list.allows("github.com.evil.example"))
        #expect(!list.allows("evilgithub.com"))
        #expect(!list.allows("pypi.org.evil.example"))
        #expect(!list.allows("198.51.100.70"))
        #expect(EgressAllowList.anyPublicHost.allows("anything.example"))
        #expect(try EgressAllowList(setting: nil) == .anyPublicHost)
        #expect(try EgressAllowList(setting: "  ") == .anyPublicHost)
        #expect(EgressAllowList.matches(Array("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab".utf8), Array("*a*a*a*a*a*a*a*a*a*c".utf8)) == false)
    }

    @Test("a malformed allow-list entry is an error naming it",
          arguments: ["github.com,,pypi.org", "https://github.com", "github.com/x", "github.com:443", "gith ub.com", "*.github.com;rm"])
    func badAllowList(setting: String) {
        let error = #expect(throws: SandboxError.self) { try EgressAllowList(setting: setting) }
        #expect(error?.code == .invalidSetting)
        #expect(error?.description.contains("NETCLODE_EGRESS_ALLOW") == true)
    }

    @Test("NETCLODE_SANDBOX_NETWORK parses like NETCLODE_SANDBOX")
    func networkSetting() throws {
        #expect(try SandboxNetwork(setting: nil) == nil)
        #expect(try SandboxNetwork(setting: "") == nil)
        #expect(try SandboxNetwork(setting: " Isolated ") == .isolated)
        #expect(try SandboxNetwork(setting: "host") == .host)
        let error = #expect(throws: SandboxError.self) { try SandboxNetwork(setting: "none") }
        #expect(error?.description.contains("\"none\"") == true)
        #expect(error?.description.contains("isolated, host") == true)
    }

    @Test("the policy: allow list by name first, then every address, then the protected endpoints")
    func policy() throws {
        let policy = EgressPolicy(
            allowList: try EgressAllowList(setting: "*.example.com,198.51.100.7"),
            protectedEndpoints: ProtectedEndpoint.listening(host: "198.51.100.1", port: 8080, name: "the control plane's API"))
        #expect(policy.refusal(host: "api.example.com") == nil)
        #expect(policy.refusal(host: "other.test")?.contains("not in NETCLODE_EGRESS_ALLOW") == true)
        #expect(policy.refusal(address: IPAddress("198.51.100.7")!, port: 443) == nil)
        #expect(policy.refusal(address: IPAddress("127.0.0.1")!, port: 443)?.contains("loopback") == true)
        #expect(policy.refusal(address: IPAddress("198.51.100.1")!, port: 8080)?.contains("control plane") == true)
        #expect(policy.refusal(address: IPAddress("::ffff:198.51.100.1")!, port: 8080)?.contains("control plane") == true)
        #expect(policy.refusal(address: IPAddress("198.51.100.1")!, port: 8081) == nil)

        // A control plane listening on every address: every local address at its port.
        let wildcard = EgressPolicy(protectedEndpoints: ProtectedEndpoint.listening(host: "0.0.0.0", port: 8080, name: "the control plane's API"))
        let local = { [IPAddress("203.0.113.5")!] }
        #expect(wildcard.refusal(address: IPAddress("203.0.113.5")!, port: 8080, localAddresses: local) != nil)
        #expect(wildcard.refusal(address: IPAddress("203.0.113.6")!, port: 8080, localAddresses: local) == nil)
        #expect(wildcard.refusal(address: IPAddress("203.0.113.5")!, port: 443, localAddresses: local) == nil)
    }

    @Test("proxy request heads: CONNECT, absolute-form, and what is refused")
    func requestHeads() throws {
        let tunnel = try ProxyRequest.parse("CONNECT GitHub.com:443 HTTP/1.1\r\nHost: github.com:443")
        #expect(tunnel == ProxyRequest(host: "github.com", port: 443, kind: .tunnel))
        let v6 = try ProxyRequest.parse("CONNECT [2606:4700::1111]:443 HTTP/1.1")
        #expect(v6.host == "2606:4700::1111" && v6.port == 443)

        let forward = try ProxyRequest.parse("GET http://198.51.100.7:8000/a/b?c=d HTTP/1.1\r\nHost: 198.51.100.7:8000\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\nAccept: */*")
        #expect(forward.host == "198.51.100.7" && forward.port == 8000)
        #expect(forward.kind == .forward(head: "GET /a/b?c=d HTTP/1.1\r\nHost: 198.51.100.7:8000\r\nAccept: */*\r\nConnection: close\r\n\r\n"))
        #expect(try ProxyRequest.parse("GET http://example.com HTTP/1.0").kind == .forward(head: "GET / HTTP/1.0\r\nConnection: close\r\n\r\n"))

        for bad in ["GET /relative HTTP/1.1", "CONNECT github.com HTTP/1.1", "GET https://github.com/ HTTP/1.1",
                    "GET http://user:pw@github.com/ HTTP/1.1", "CONNECT github.com:0 HTTP/1.1", "GET http://bad_host!/ HTTP/1.1",
                    "hello", "GET http://github.com/ HTTP/2"] {
            #expect(throws: ProxyRequestError.self, "\(bad)") { try ProxyRequest.parse(bad) }
        }
    }
}
