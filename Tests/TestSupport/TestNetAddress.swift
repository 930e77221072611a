import Foundation

/// A public-looking address of this machine for egress tests: `198.51.100.<n>` (TEST-NET-2,
/// RFC 5737, never routed on the internet) added to `lo` for the test's lifetime.
///
/// The egress proxy refuses loopback and private addresses, so a test needs a host it serves
/// itself on an address of neither kind, and must never use a real outside address. Adding one
/// needs root (CAP_NET_ADMIN); ``canAdd`` says whether this process can.
public struct TestNetAddress: Sendable {
    public let address: String

    /// Root can add addresses (the tests run as root here and in CI).
    public static var canAdd: Bool { geteuid() == 0 && FileManager.default.isExecutableFile(atPath: ip) }

    static var ip: String {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/ip"
    }

    /// Adds a free `198.51.100.<n>/32` to `lo` (tests running at once each get their own).
    public static func add() async throws -> TestNetAddress {
        for _ in 0..<20 {
            let address = "198.51.100.\(Int.random(in: 10...250))"
            let result = try await Command.run(ip, ["addr", "add", "\(address)/32", "dev", "lo"])
            if result.succeeded { return TestNetAddress(address: address) }
            // Taken by a test running at the same time (or left by a killed run): try another.
            if !result.stderr.contains("exists") && !result.stderr.contains("already assigned") {
                throw TestNetAddressError("ip addr add \(address)/32 dev lo failed: \(result.stderr)")
            }
        }
        throw TestNetAddressError("no free address in 198.51.100.10-250")
    }

    /// Removes the address again.
    public func remove() async {
        _ = try? await Command.run(Self.ip, ["addr", "del", "\(address)/32", "dev", "lo"])
    }

    /// Runs `body` with an address, removing it afterwards whatever `body` does.
    public static func with<T>(_ body: (TestNetAddress) async throws -> T) async throws -> T {
        let address = try await add()
        do {
            let value = try await body(address)
            await address.remove()
            return value
        } catch {
            await address.remove()
            throw error
        }
    }
}

public struct TestNetAddressError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
