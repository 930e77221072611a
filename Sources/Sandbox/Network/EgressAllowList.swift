import Foundation

/// `NETCLODE_EGRESS_ALLOW`: the hosts a sandbox on an isolated network may reach through the
/// egress proxy, as comma-separated globs (`*.github.com,pypi.org,files.pythonhosted.org`).
///
/// Unset (or empty) allows any host whose addresses are public. A glob compares with the host as
/// the client wrote it (lower case, without brackets or port): `*` is any run of characters, dots
/// included (`*.github.com` matches `api.github.com` and `a.b.github.com`, not `github.com`),
/// `?` one character. An IP literal is a host like any other (`198.51.100.7`). The allow list
/// narrows, it never widens: an allowed name that resolves to a refused address
/// (``AddressRange/refused``) is still refused.
public struct EgressAllowList: Sendable, Equatable, CustomStringConvertible {
    /// The globs, lower case; nil when every public host is allowed.
    public let patterns: [String]?

    /// Any public host.
    public static let anyPublicHost = EgressAllowList(patterns: nil)

    init(patterns: [String]?) {
        self.patterns = patterns
    }

    /// Parses the setting. A malformed entry (empty between commas, a character no host name has,
    /// a scheme, a path or a port) is an error naming it, rather than a rule that silently
    /// matches nothing.
    public init(setting: String?) throws(SandboxError) {
        let text = (setting ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            self.init(patterns: nil)
            return
        }
        var patterns: [String] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pattern = entry.trimmingCharacters(in: .whitespaces).lowercased()
            let allowed = pattern.unicodeScalars.allSatisfy { scalar in
                (scalar.value < 128 && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))))
                    || ".-_*?:".unicodeScalars.contains(scalar)
            }
            let ipv6 = IPAddress(pattern).map { if case .v6 = $0 { true } else { false } } ?? false
            guard !pattern.isEmpty, allowed, ipv6 || !pattern.contains(":") else {
                throw SandboxError(.invalidSetting, """
                    NETCLODE_EGRESS_ALLOW entry "\(entry.trimmingCharacters(in: .whitespaces))" is not a host glob; \
                    use comma-separated host names or IP addresses with * and ?, e.g. *.github.com,pypi.org (no scheme, path or port)
                    """)
            }
            patterns.append(pattern)
        }
        self.init(patterns: patterns)
    }

    /// Whether `host` (as the client wrote it) may be reached.
    public func allows(_ host: String) -> Bool {
        guard let patterns else { return true }
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }  // the root label: `github.com.` is `github.com`
        return patterns.contains { Self.matches(Array(name.utf8), Array($0.utf8)) }
    }

    public var description: String {
        patterns?.joined(separator: ",") ?? "any public host"
    }

    /// Glob match with `*` and `?`, iterative (no backtracking blow-up on many stars).
    static func matches(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
        var (t, p) = (0, 0)
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
