import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a host name to the addresses to connect to, once: the egress proxy checks exactly
/// these and connects to exactly these (see ``EgressPolicy``).
enum HostResolver {
    /// Every TCP address of `host` (an IP literal resolves to itself), in the resolver's order.
    /// `getaddrinfo` blocks, so it runs on NIO's blocking pool.
    static func resolve(_ host: String, port: Int) async throws -> [SocketAddress] {
        if let literal = IPAddress(host) {
            return [try socketAddress(literal, port: port)]
        }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG
            var first: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &first)
            guard status == 0 else {
                throw ProxyRequestError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(first) }
            var addresses: [SocketAddress] = []
            var entry = first
            while let current = entry {
                if let raw = current.pointee.ai_addr {
                    switch current.pointee.ai_family {
                    case AF_INET:
                        addresses.append(raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                    case AF_INET6:
                        addresses.append(raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) })
                    default:
                        break
                    }
                }
                entry = current.pointee.ai_next
            }
            guard !addresses.isEmpty else { throw ProxyRequestError("cannot resolve \(host): no address") }
            return addresses
        }
    }

    static func socketAddress(_ address: IPAddress, port: Int) throws -> SocketAddress {
        try SocketAddress(ipAddress: address.description, port: port)
    }

    /// The address of a resolved socket address, for the policy.
    static func ipAddress(of address: SocketAddress) -> IPAddress? {
        switch address {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return .v4(withUnsafeBytes(of: &raw) { Array($0) })
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return .v6(withUnsafeBytes(of: &raw) { Array($0) })
        default:
            return nil
        }
    }
}
