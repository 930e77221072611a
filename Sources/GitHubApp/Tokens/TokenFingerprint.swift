import Crypto

/// How tokens appear in logs: the first 12 hex characters of their SHA-256.
///
/// Enough to tell tokens apart and to match a log line with a token a user holds, useless for
/// reconstructing the token.
public enum TokenFingerprint {
    public static func of(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
