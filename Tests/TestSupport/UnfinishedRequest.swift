import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 request whose body is announced but never finished, over a plain TCP socket to
/// 127.0.0.1: the head says `Content-Length: N`, only the first bytes follow, and the sender then
/// waits for an answer. A server that answers has decided on the headers alone; one that reads the
/// body first answers nothing until the socket's receive timeout runs out.
public enum UnfinishedRequest {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends the request and returns whatever arrived before the server closed the connection,
    /// sent a complete response (by its `Content-Length`), or `timeout` passed without more bytes.
    public static func post(
        port: Int, path: String, headers: [(String, String)], announcedLength: Int, sentBody: [UInt8],
        timeout: Duration = .seconds(30)
    ) async throws -> String {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(announcedLength)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + sentBody
        let seconds = Int(timeout.components.seconds)
        // Blocking socket calls, off the cooperative pool.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try roundTrip(port: port, bytes: bytes, timeoutSeconds: seconds) })
            }
        }
    }

    private static func roundTrip(port: Int, bytes: [UInt8], timeoutSeconds: Int) throws -> String {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect() to 127.0.0.1:\(port) failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw Failure(description: "send() failed: errno \(errno)") }
            offset += sent
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !isComplete(received) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }  // closed, reset, or the timeout passed
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// A response head plus as many body bytes as its `Content-Length` says.
    private static func isComplete(_ received: [UInt8]) -> Bool {
        let text = String(decoding: received, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return false }
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }
}
