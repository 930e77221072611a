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

/// Generates installation tokens shaped like GitHub's: `ghs_` + 36 alphanumerics.
enum TokenGenerator {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func installationToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "ghs_" + String((0..<36).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
