import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a Kubernetes Service is to its Pods, for tests on 127.0.0.1: one TCP port that hands each
/// connection to the next of its backends (round robin), skipping backends that refuse. Blocking
/// sockets and a thread per direction: tests open a handful of connections.
public final class TCPBalancer: Sendable {
    public let port: Int
    private let listener: Int32
    private let backends: Mutex<(ports: [Int], next: Int)>  // ports, and where the next round starts

    public init(backends ports: [Int]) throws {
        let (descriptor, port) = try ClosedPort.bindLoopback()
        guard listen(descriptor, 64) == 0 else {
            Glibc.close(descriptor)
            throw ClosedPortError("listen() failed: errno \(errno)")
        }
        listener = descriptor
        self.port = port
        backends = Mutex((ports, 0))
        let listener = self.listener
        let balancer = self
        Thread.detachNewThread { balancer.acceptLoop(listener) }
    }

    /// Stops accepting; connections in progress run until either side closes.
    public func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { self.serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        let candidates = backends.withLock { state -> [Int] in
            guard !state.ports.isEmpty else { return [] }
            let start = state.next % state.ports.count
            state.next += 1
            return Array(state.ports[start...] + state.ports[..<start])
        }
        for port in candidates {
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Glibc.close(upstream)
                continue
            }
            let done = DispatchGroup()
            for (from, to) in [(client, upstream), (upstream, client)] {
                done.enter()
                Thread.detachNewThread {
                    Self.pump(from: from, to: to)
                    done.leave()
                }
            }
            done.wait()
            Glibc.close(upstream)
            break
        }
        Glibc.close(client)
    }

    private static func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { write(to, $0.baseAddress! + sent, count - sent) }
                guard written > 0 else {
                    shutdown(from, Int32(SHUT_RDWR))
                    return
                }
                sent += written
            }
        }
        shutdown(to, Int32(SHUT_WR))
    }
}
