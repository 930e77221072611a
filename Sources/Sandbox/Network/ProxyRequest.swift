import Foundation

/// The head of a request to the egress proxy: where it wants to go and how.
///
/// Two forms are served: `CONNECT host:port` (a tunnel, what clients use for HTTPS), and a plain
/// HTTP request in absolute form (`GET http://host/path HTTP/1.1`), which is forwarded to the host
/// in origin form (`GET /path`) with `Connection: close`, one request per proxy connection.
struct ProxyRequest: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case tunnel
        /// The head to send upstream, rewritten to origin form.
        case forward(head: String)
    }

    /// As the client wrote it, without brackets (an IPv6 literal) and port; lower case.
    var host: String
    var port: Int
    var kind: Kind

    /// The most a request head may take; a longer one is refused (431).
    static let maximumHeadSize = 32 * 1024

    /// Headers that concern the hop to the proxy, not the origin server.
    static let hopHeaders: Set<String> = ["proxy-connection", "proxy-authorization", "connection", "keep-alive"]

    /// Parses a head (everything before the blank line, without it).
    static func parse(_ head: String) throws(ProxyRequestError) -> ProxyRequest {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }),
              parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw ProxyRequestError("not an HTTP/1.x request line: \(lines[0].prefix(200))")
        }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        if method == "CONNECT" {
            let (host, port) = try authority(target, defaultPort: nil)
            return ProxyRequest(host: host, port: port, kind: .tunnel)
        }
        guard target.lowercased().hasPrefix("http://") else {
            throw ProxyRequestError(target.lowercased().hasPrefix("https://")
                ? "an https:// URL must go through CONNECT (set HTTPS_PROXY)"
                : "a proxy request needs an absolute http:// URL, got \(target.prefix(200))")
        }
        let rest = target.dropFirst("http://".count)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let (host, port) = try authority(String(rest[..<end]), defaultPort: 80)
        var path = String(rest[end...])
        if let fragment = path.firstIndex(of: "#") { path = String(path[..<fragment]) }
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }

        var forwarded = ["\(method) \(path) \(version)"]
        for line in lines.dropFirst() where !line.isEmpty {
            let name = line.prefix { $0 != ":" }.trimmingCharacters(in: .whitespaces).lowercased()
            if !hopHeaders.contains(name) { forwarded.append(line) }
        }
        forwarded.append("Connection: close")
        return ProxyRequest(host: host, port: port, kind: .forward(head: forwarded.joined(separator: "\r\n") + "\r\n\r\n"))
    }

    /// `host:port` or `[v6]:port` (port optional when there is a default).
    static func authority(_ text: String, defaultPort: Int?) throws(ProxyRequestError) -> (String, Int) {
        guard !text.contains("@") else { throw ProxyRequestError("credentials in the URL are not forwarded") }
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ProxyRequestError("bad IPv6 host in \(text)") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw ProxyRequestError("bad host in \(text)") }
                portText = after.dropFirst()
            }
            guard IPAddress(String(host)) != nil else { throw ProxyRequestError("bad IPv6 host in \(text)") }
        } else {
            if let colon = text.lastIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                host = Substring(text)
            }
            let valid = !host.isEmpty && host.count <= 253 && host.unicodeScalars.allSatisfy {
                $0.value < 128 && ($0.properties.isAlphabetic || ("0"..."9").contains(Character($0)) || "-._".unicodeScalars.contains($0))
            }
            guard valid else { throw ProxyRequestError("bad host name \"\(host.prefix(200))\"") }
        }
        let port: Int
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { throw ProxyRequestError("bad port in \(text)") }
            port = number
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw ProxyRequestError("CONNECT needs host:port, got \(text.prefix(200))")
        }
        return (host.lowercased(), port)
    }
}

struct ProxyRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
