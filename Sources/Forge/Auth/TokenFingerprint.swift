import Crypto

/// How a token appears in logs and as a lookup key: never the token itself.
enum TokenFingerprint {
    /// Hex SHA-256 of the token; the token store is keyed by it, so the plaintext is not kept.
    static func digest(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The first 12 hex characters of the SHA-256: enough to correlate log lines.
    static func short(_ token: String) -> String {
        String(digest(token).prefix(12))
    }
}

/// Generates tokens shaped like GitHub's: a type prefix + 36 alphanumerics.
enum TokenGenerator {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// `ghs_…`: an installation (server-to-server) token.
    static func installationToken() -> String { token(prefix: "ghs_") }

    /// `ghu_…`: a user-to-server token, how GitHub prefixes a token that acts as a person.
    static func userToken() -> String { token(prefix: userTokenPrefix) }

    static let userTokenPrefix = "ghu_"

    private static func token(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<36).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
