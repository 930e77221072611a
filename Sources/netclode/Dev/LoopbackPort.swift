#if canImport(Glibc)
import Glibc
private let systemBind = Glibc.bind
#elseif canImport(Musl)
import Musl
private let systemBind = Musl.bind
#elseif canImport(Darwin)
import Darwin
private let systemBind = Darwin.bind
#endif

/// Ports on 127.0.0.1 for `netclode dev`'s embedded forge.
///
/// The forge's port must be known before anything starts, because the control plane is configured
/// with it (`GITHUB_API_URL`), and it must stay the same across restarts, because every cloned
/// workspace's `origin` remote names it. So `dev` picks a free port once, records it in
/// `dev.json`, and asks for the same one on every later start.
enum LoopbackPort {
    /// A port the kernel says is free right now (bind to port 0, read it back, close).
    static func free() -> Int? {
        bind(port: 0)
    }

    /// Whether `port` can be bound on 127.0.0.1 right now.
    static func isAvailable(_ port: Int) -> Bool {
        bind(port: port) != nil
    }

    private static func bind(port: Int) -> Int? {
        #if canImport(Darwin)
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemBind(descriptor, $0, length) }
        }
        guard bound == 0 else { return nil }
        var actual = sockaddr_in()
        var actualLength = length
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: actual.sin_port))
    }
}
