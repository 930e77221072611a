/// The address ranges the egress proxy never connects to, whatever the allow list says: they
/// reach this machine, the local network, or the cloud's metadata service, not the internet.
public struct AddressRange: Sendable, CustomStringConvertible {
    /// What the range is, as a refusal names it ("loopback", "link-local", ...).
    public let name: String
    let prefix: IPAddress
    let length: Int

    init(_ name: String, _ prefix: String, _ length: Int) {
        self.name = name
        self.prefix = IPAddress(prefix)!
        self.length = length
    }

    public var description: String { "\(prefix)/\(length) (\(name))" }

    func contains(_ address: IPAddress) -> Bool {
        switch (prefix, address) {
        case (.v4(let a), .v4(let b)), (.v6(let a), .v6(let b)):
            var remaining = length
            for index in a.indices where remaining > 0 {
                let bits = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
                if a[index] & mask != b[index] & mask { return false }
                remaining -= bits
            }
            return true
        default:
            return false
        }
    }

    /// Always refused (RFC 6890's special-purpose ranges that are not the public internet).
    public static let refused: [AddressRange] = [
        AddressRange("unspecified", "0.0.0.0", 8),
        AddressRange("loopback", "127.0.0.0", 8),
        AddressRange("private", "10.0.0.0", 8),
        AddressRange("private", "172.16.0.0", 12),
        AddressRange("private", "192.168.0.0", 16),
        AddressRange("shared address space (CGNAT)", "100.64.0.0", 10),
        AddressRange("link-local (cloud metadata)", "169.254.0.0", 16),
        AddressRange("IETF protocol assignments", "192.0.0.0", 24),
        AddressRange("benchmarking", "198.18.0.0", 15),
        AddressRange("multicast", "224.0.0.0", 4),
        AddressRange("reserved", "240.0.0.0", 4),  // includes the broadcast address
        AddressRange("unspecified", "::", 128),
        AddressRange("loopback", "::1", 128),
        AddressRange("private (unique local)", "fc00::", 7),
        AddressRange("site-local", "fec0::", 10),
        AddressRange("link-local", "fe80::", 10),
        AddressRange("multicast", "ff00::", 8),
    ]

    /// The range among ``refused`` that `address` (or the IPv4 address it embeds) falls in.
    public static func refusedRange(of address: IPAddress) -> AddressRange? {
        if let embedded = address.embeddedIPv4, let range = refusedRange(of: embedded) { return range }
        return refused.first { $0.contains(address) }
    }
}
