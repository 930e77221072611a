#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as bytes, for the egress rules (``AddressRange``).
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Four bytes, network order.
    case v4([UInt8])
    /// Sixteen bytes, network order.
    case v6([UInt8])

    /// Parses a literal: `198.51.100.7`, `::1`, `[::1]` (brackets as in URLs), `::ffff:10.0.0.1`.
    /// Nil for anything else, host names included.
    public init?(_ text: String) {
        var literal = Substring(text)
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = literal.dropFirst().dropLast() }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(literal), &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        // A zone index (`fe80::1%eth0`) is cut off: the address is what the rules judge.
        let withoutZone = literal.split(separator: "%", maxSplits: 1).first.map(String.init) ?? ""
        if inet_pton(AF_INET6, withoutZone, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// The IPv4 address an IPv6 address stands for, when it embeds one the stack would reach:
    /// IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64
    /// (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`). Judging those by their IPv4 address
    /// closes the way around the IPv4 rules, e.g. `::ffff:127.0.0.1` or `::ffff:169.254.169.254`.
    public var embeddedIPv4: IPAddress? {
        guard case .v6(let bytes) = self else { return nil }
        let zeroPrefix = bytes[0..<10].allSatisfy { $0 == 0 }
        if zeroPrefix, bytes[10] == 0xff, bytes[11] == 0xff { return .v4(Array(bytes[12..<16])) }
        if zeroPrefix, bytes[10] == 0, bytes[11] == 0, bytes[12..<16].contains(where: { $0 != 0 }),
           !(bytes[12..<15].allSatisfy { $0 == 0 } && bytes[15] == 1) {
            return .v4(Array(bytes[12..<16]))  // ::a.b.c.d, but not :: or ::1
        }
        if bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return .v4(Array(bytes[12..<16])) }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return .v4(Array(bytes[2..<6])) }
        return nil
    }

    public var description: String {
        switch self {
        case .v4(let bytes):
            return bytes.map(String.init).joined(separator: ".")
        case .v6(var bytes):
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let text = bytes.withUnsafeMutableBytes { raw in
                inet_ntop(AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count))
            }
            return text == nil ? "?" : String(cString: buffer)
        }
    }
}
