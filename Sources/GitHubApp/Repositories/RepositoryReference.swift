import Foundation

/// A GitHub repository as a user named it when creating a session (DESIGN.md §1 "Repository references").
///
/// `owner` and `name` keep the user's spelling for display, but GitHub names are case-insensitive, so
/// equality and hashing use the lower-cased `key`: `Owner/Repo` and `owner/repo` are one repository.
/// Both parts are validated against GitHub's naming rules, which also guarantees they are URL-safe ASCII.
public struct RepositoryReference: Sendable, Hashable, CustomStringConvertible {
    /// Where repositories live when no GitHub Enterprise web URL is configured.
    public static let defaultWebURL = URL(string: "https://github.com")!

    /// Owner as the user spelled it (display); compare via `key`.
    public let owner: String
    /// Repository name without `.git`, as the user spelled it.
    public let name: String

    /// Validates both parts; `name` is taken literally (no `.git` stripping).
    public init(owner: String, name: String) throws(RepositoryReferenceError) {
        try self.init(owner: owner, name: name, entry: "\(owner)/\(name)", webURL: Self.defaultWebURL)
    }

    private init(owner: String, name: String, entry: String, webURL: URL) throws(RepositoryReferenceError) {
        func fail(_ reason: RepositoryReferenceError.Reason) -> RepositoryReferenceError {
            RepositoryReferenceError(entry: entry, reason: reason, webURL: webURL)
        }
        guard !owner.isEmpty else { throw fail(.missingOwner) }
        guard !name.isEmpty else { throw fail(.missingName) }
        guard Self.isValidOwner(owner) else { throw fail(.invalidOwner(owner)) }
        guard Self.isValidName(name) else { throw fail(.invalidName(name)) }
        self.owner = owner
        self.name = name
    }

    /// "owner/name"
    public var fullName: String { "\(owner)/\(name)" }
    /// Lower-cased "owner/name", the identity of the repository.
    public var key: String { fullName.lowercased() }
    /// Lower-cased owner, for grouping by installation.
    public var ownerKey: String { owner.lowercased() }
    public var description: String { fullName }

    /// `<webURL>/owner/name.git`; a trailing slash or path prefix on the web URL is respected.
    public func cloneURL(webURL: URL) -> URL {
        var base = webURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        // Cannot fail: `base` came from a URL and owner/name are validated to [A-Za-z0-9._-].
        return URL(string: "\(base)/\(owner)/\(name).git")!
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    // MARK: - Parsing

    /// Parses one user entry against the configured web URL (default https://github.com).
    ///
    /// Accepts `owner/repo`, `https://HOST/owner/repo[.git]` and `HOST/owner/repo[.git]`, with one optional
    /// trailing slash and surrounding white space; HOST (and port, and path prefix) must be the web URL's,
    /// and a scheme must be the web URL's. Everything else is rejected rather than guessed at, because
    /// the result decides which repositories a token may reach. Percent-escapes are not decoded.
    public static func parse(
        _ input: String, webURL: URL = defaultWebURL
    ) throws(RepositoryReferenceError) -> RepositoryReference {
        func fail(_ reason: RepositoryReferenceError.Reason) -> RepositoryReferenceError {
            RepositoryReferenceError(entry: input, reason: reason, webURL: webURL)
        }
        let web = WebBase(webURL)
        let text = Substring(input.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !text.isEmpty else { throw fail(.empty) }

        /// The part after the host: must sit under the web URL's path prefix; returns what follows it.
        func underPrefix(_ path: Substring, host: Substring) throws(RepositoryReferenceError) -> Substring {
            guard path.hasPrefix(web.pathPrefix) else { throw fail(.otherHost(String(host))) }
            let rest = path.dropFirst(web.pathPrefix.count)
            if rest.isEmpty { return rest }
            guard rest.first == "/" else { throw fail(.otherHost(String(host))) }
            return rest.dropFirst()
        }

        let path: Substring  // "owner/repo[.git][/]"
        if let separator = text.range(of: "://"), isScheme(text[..<separator.lowerBound]) {
            let scheme = text[..<separator.lowerBound].lowercased()
            guard scheme == web.scheme else {
                throw fail(scheme == "http" && web.scheme == "https" ? .insecureScheme : .unsupportedScheme(scheme))
            }
            let rest = text[separator.upperBound...]
            let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if authority.contains("@") { throw fail(.credentialsInURL) }
            if rest.contains(where: { $0 == "?" || $0 == "#" }) { throw fail(.queryOrFragment) }
            guard web.matches(authority) else { throw fail(.otherHost(String(authority))) }
            path = try underPrefix(rest[authorityEnd...], host: authority)
        } else {
            if text.contains(where: { $0 == "?" || $0 == "#" }) { throw fail(.queryOrFragment) }
            let first = text[..<(text.firstIndex(of: "/") ?? text.endIndex)]
            let slashes = (text.hasSuffix("/") ? text.dropLast() : text).count { $0 == "/" }
            // `host/owner/repo`; a dot-less host with only one slash after it is read as `owner/repo`.
            if web.matches(first), first.contains(where: { $0 == "." || $0 == ":" }) || slashes >= 2 {
                path = try underPrefix(text[first.endIndex...], host: first)
            } else if let colon = first.firstIndex(of: ":") {
                // git reads `something:path` without `://` as scp-style ssh (`git@github.com:owner/repo`).
                let prefix = first[..<colon].lowercased()
                throw fail(prefix == "http" || prefix == "https" ? .malformedURL : .unsupportedScheme("ssh"))
            } else if let at = first.lastIndex(of: "@"), web.matches(first[first.index(after: at)...]) {
                throw fail(.credentialsInURL)
            } else if slashes >= 2, first.contains("."), first != ".", first != ".." {
                throw fail(.otherHost(String(first)))
            } else {
                path = text
            }
        }

        let trimmed = path.hasSuffix("/") ? path.dropLast() : path
        guard !trimmed.isEmpty else { throw fail(.missingOwner) }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0 == "." || $0 == ".." }) { throw fail(.dotSegment) }
        guard segments.count == 2 else {
            if segments.count == 1 { throw fail(.missingName) }
            throw fail(segments.contains(where: \.isEmpty) ? .emptySegment : .extraPathSegments)
        }
        var name = segments[1]
        // Exactly one suffix, case-insensitively like the rest of the name: `repo.git.git` names `repo.git`.
        if name.suffix(4).lowercased() == ".git" { name = name.dropLast(4) }
        return try RepositoryReference(owner: String(segments[0]), name: String(name), entry: input, webURL: webURL)
    }

    // MARK: - GitHub's naming rules

    /// `[A-Za-z0-9-]`, 1–39 characters, no leading, trailing or double hyphen.
    static func isValidOwner(_ owner: String) -> Bool {
        let bytes = Array(owner.utf8)
        guard (1...39).contains(bytes.count), bytes.first != hyphen, bytes.last != hyphen else { return false }
        return zip(bytes, bytes.dropFirst() + [0]).allSatisfy { byte, next in
            isAlphanumeric(byte) || (byte == hyphen && next != hyphen)
        }
    }

    /// `[A-Za-z0-9._-]`, 1–100 characters, not `.` or `..`.
    static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...100).contains(bytes.count), name != ".", name != ".." else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == hyphen || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") }
    }

    private static let hyphen = UInt8(ascii: "-")

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            false
        }
    }

    /// RFC 3986 scheme: an ASCII letter, then letters, digits, `+`, `-` or `.`.
    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, isAlphanumeric(first), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return text.utf8.allSatisfy { isAlphanumeric($0) || "+-.".utf8.contains($0) }
    }
}

/// The parts of the configured web URL an entry is matched against.
private struct WebBase {
    /// Lower-cased, e.g. `https`.
    let scheme: String
    /// Normalised `host[:port]`, see `normalize`.
    let authority: String
    /// Percent-encoded path without trailing slash: "" for github.com, "/prefix" for a GHES behind one.
    let pathPrefix: String

    init(_ url: URL) {
        scheme = url.scheme?.lowercased() ?? "https"
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        var host = components?.percentEncodedHost ?? url.host ?? ""
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }  // IPv6 literal
        authority = Self.normalize(host + (url.port.map { ":\($0)" } ?? ""), scheme: scheme)
        var path = components?.percentEncodedPath ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        pathPrefix = path
    }

    func matches(_ candidate: Substring) -> Bool {
        Self.normalize(candidate, scheme: scheme) == authority
    }

    /// Lower-cased `host[:port]` without the scheme's default port, so `GitHub.com:443` is `github.com`.
    private static func normalize(_ authority: some StringProtocol, scheme: String) -> String {
        let lowered = authority.lowercased()
        let hostEnd = lowered.hasPrefix("[") ? lowered.firstIndex(of: "]").map(lowered.index(after:)) : nil
        guard let colon = lowered[(hostEnd ?? lowered.startIndex)...].lastIndex(of: ":") else { return lowered }
        let host = lowered[..<colon]
        let port = lowered[lowered.index(after: colon)...]
        let defaultPort = scheme == "http" ? 80 : scheme == "https" ? 443 : nil
        guard port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port) else {
            return port.isEmpty ? String(host) : lowered
        }
        return number == defaultPort ? String(host) : "\(host):\(number)"
    }
}
