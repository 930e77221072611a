import Crypto

/// The two signature headers GitHub puts on a delivery: `X-Hub-Signature-256: sha256=<hex>`
/// and the legacy `X-Hub-Signature: sha1=<hex>`, both HMACs of the raw body with the secret.
enum WebhookSignature {
    static func sha256(_ body: [UInt8], secret: String) -> String {
        "sha256=" + hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func sha1(_ body: [UInt8], secret: String) -> String {
        "sha1=" + hex(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
