/// A `--listen HOST:PORT` value.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:8790`, `localhost:0`, `[::1]:8790`.
    public init(parsing value: String) throws {
        let hostPart: Substring
        let portPart: Substring
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
            hostPart = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ForgeError.invalidListenAddress(value) }
            portPart = rest.dropFirst()
        } else {
            guard let colon = value.lastIndex(of: ":") else { throw ForgeError.invalidListenAddress(value) }
            hostPart = value[..<colon]
            portPart = value[value.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else {
            throw ForgeError.invalidListenAddress(value)
        }
        self.init(host: String(hostPart), port: port)
    }

    public var isLoopback: Bool { Self.isLoopback(host: host) }

    static func isLoopback(host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") || host == "::ffff:127.0.0.1"
    }

    /// `http://HOST:PORT` with IPv6 hosts bracketed.
    public func url(port: Int? = nil) -> String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port ?? self.port)"
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
