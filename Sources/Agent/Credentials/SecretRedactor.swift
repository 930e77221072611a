/// Removes credentials from text before it leaves the agent: git's stderr in clone errors, command
/// output, log lines.
///
/// What is redacted:
/// - GitHub tokens: `ghs_…`, `ghp_…`, `gho_…`, `ghu_…`, `ghr_…`, `github_pat_…` → `ghs_***`
/// - URL userinfo: `https://user:secret@host/…` → `https://***@host/…`
/// - `x-access-token:SECRET` → `x-access-token:***`
/// - HTTP authorization: `Authorization: Basic …` (to the end of the line) → `Authorization: ***`,
///   and a bare `Bearer TOKEN`
/// - any string of `knownSecrets` verbatim (the tokens the agent currently holds, whatever their shape)
///
/// The scan works on UTF-8 bytes (every pattern is ASCII), so it is linear in the text's length and
/// cheap enough for a megabyte of command output.
public enum SecretRedactor {
    /// What replaces a secret.
    public static let mask = "***"

    /// `text` with every credential replaced by ``mask``.
    public static func redact(_ text: String, knownSecrets: [String] = []) -> String {
        var bytes = scan(Array(text.utf8))
        // Then the known secrets, whatever they look like.
        for secret in knownSecrets where secret.utf8.count >= 6 {
            bytes = replaceAll(Array(secret.utf8), in: bytes, with: Array(mask.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` holds something ``redact(_:knownSecrets:)`` would change.
    public static func containsSecret(_ text: String, knownSecrets: [String] = []) -> Bool {
        redact(text, knownSecrets: knownSecrets) != text
    }

    // MARK: Scanner

    private static let tokenPrefixes: [[UInt8]] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map { Array($0.utf8) }
    private static let accessTokenUser = Array("x-access-token:".utf8)
    private static let authorization = Array("authorization:".utf8)
    private static let bearer = Array("bearer ".utf8)
    private static let schemeSeparator = Array("://".utf8)

    private static func scan(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        let maskBytes = Array(mask.utf8)
        var index = 0
        while index < bytes.count {
            // Most bytes cannot start a pattern: copy them straight away.
            let folded = bytes[index] | 0x20
            if folded != UInt8(ascii: "g"), folded != UInt8(ascii: "x"), folded != UInt8(ascii: "a"),
               folded != UInt8(ascii: "b"), bytes[index] != UInt8(ascii: ":") {
                output.append(bytes[index])
                index += 1
                continue
            }
            // URL with userinfo: scheme://userinfo@host
            let byte = bytes[index]
            if byte == UInt8(ascii: ":"), hasPrefix(bytes, schemeSeparator, at: index, caseInsensitive: false) {
                let start = index + schemeSeparator.count
                var end = start
                var lastAt: Int?
                while end < bytes.count, !isURLTerminator(bytes[end]) {
                    if bytes[end] == UInt8(ascii: "@") { lastAt = end }
                    end += 1
                }
                output.append(contentsOf: schemeSeparator)
                if let at = lastAt {
                    output.append(contentsOf: maskBytes)
                    index = at // continue at '@', copied below as part of the host
                } else {
                    index = start
                }
                continue
            }
            // Token-shaped strings, at a word start.
            if byte == UInt8(ascii: "g"), index == 0 || !isTokenCharacter(bytes[index - 1]) {
                if let prefix = tokenPrefixes.first(where: { hasPrefix(bytes, $0, at: index, caseInsensitive: false) }) {
                    var end = index + prefix.count
                    while end < bytes.count, isTokenCharacter(bytes[end]) { end += 1 }
                    if end > index + prefix.count {
                        output.append(contentsOf: prefix)
                        output.append(contentsOf: maskBytes)
                        index = end
                        continue
                    }
                }
            }
            // x-access-token:SECRET (as in userinfo without a scheme, or printed by some tool)
            if folded == UInt8(ascii: "x"), hasPrefix(bytes, accessTokenUser, at: index, caseInsensitive: true) {
                let start = index + accessTokenUser.count
                var end = start
                while end < bytes.count, !isSecretTerminator(bytes[end]) { end += 1 }
                output.append(contentsOf: bytes[index..<start])
                if end > start { output.append(contentsOf: maskBytes) }
                index = end
                continue
            }
            // Authorization: <anything up to the end of the line>
            if folded == UInt8(ascii: "a"), hasPrefix(bytes, authorization, at: index, caseInsensitive: true) {
                var start = index + authorization.count
                while start < bytes.count, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r"),
                      bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "'") {
                    end += 1
                }
                output.append(contentsOf: bytes[index..<start])
                if end > start { output.append(contentsOf: maskBytes) }
                index = end
                continue
            }
            // Bearer TOKEN
            if folded == UInt8(ascii: "b"), index == 0 || !isTokenCharacter(bytes[index - 1]),
               hasPrefix(bytes, bearer, at: index, caseInsensitive: true) {
                let start = index + bearer.count
                var end = start
                while end < bytes.count, !isSecretTerminator(bytes[end]) { end += 1 }
                if end - start >= 8 {
                    output.append(contentsOf: bytes[index..<start])
                    output.append(contentsOf: maskBytes)
                    index = end
                    continue
                }
            }
            output.append(bytes[index])
            index += 1
        }
        return output
    }

    private static func hasPrefix(_ bytes: [UInt8], _ prefix: [UInt8], at index: Int, caseInsensitive: Bool) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for offset in 0..<prefix.count {
            let byte = bytes[index + offset]
            let expected = prefix[offset]
            if byte == expected { continue }
            if caseInsensitive, isLetter(byte), byte | 0x20 == expected | 0x20 { continue }
            return false
        }
        return true
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_")
    }

    /// Where the authority part of a URL ends.
    private static func isURLTerminator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: " "), UInt8(ascii: "\t"),
             UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "<"),
             UInt8(ascii: ">"), UInt8(ascii: "`"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","):
            return true
        default:
            return false
        }
    }

    /// Where a bare secret (after `x-access-token:` or `Bearer `) ends.
    private static func isSecretTerminator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "@"),
             UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "`"), UInt8(ascii: ","),
             UInt8(ascii: ";"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }

    private static func replaceAll(_ needle: [UInt8], in haystack: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return haystack }
        var output: [UInt8] = []
        output.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if haystack[index] == needle[0], hasPrefix(haystack, needle, at: index, caseInsensitive: false) {
                output.append(contentsOf: replacement)
                index += needle.count
            } else {
                output.append(haystack[index])
                index += 1
            }
        }
        return output
    }
}
